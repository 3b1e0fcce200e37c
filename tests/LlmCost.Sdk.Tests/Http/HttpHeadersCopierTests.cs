using System.Net.Http.Headers;

namespace LlmCost.Sdk.Tests.Http;

/// <summary>A wrapping content shows the app exactly the headers the wrapped one has, without formatting and re-parsing them.</summary>
public class HttpHeadersCopierTests
{
    private static ByteArrayContent Source()
    {
        var content = new ByteArrayContent("{}"u8.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        content.Headers.ContentLength = 2;
        content.Headers.TryAddWithoutValidation("X-Raw", "not validated, kept as is");
        content.Headers.Add("X-Twice", ["a", "b"]);
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }

    [Fact]
    public void RuntimeCopy_IsUsed_AndGivesTheSameHeadersAsCopyingEachValue()
    {
        using var source = Source();
        using var fast = new ByteArrayContent([]);
        using var slow = new ByteArrayContent([]);

        HttpHeadersCopier.CopyContentHeaders(source, fast);
        HttpHeadersCopier.CopyEachValue(source, slow);

        Assert.True(HttpHeadersCopier.UsesRuntimeCopy); // this runtime's HttpHeaders.AddHeaders is found
        Assert.Equal(source.Headers.ToString(), fast.Headers.ToString());
        Assert.Equal(slow.Headers.ToString(), fast.Headers.ToString());
        Assert.Equal("application/json", fast.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", fast.Headers.ContentType.CharSet);
        Assert.Equal(2, fast.Headers.ContentLength);
        Assert.Equal(["a", "b"], fast.Headers.GetValues("X-Twice"));
        Assert.Equal("not validated, kept as is", Assert.Single(fast.Headers.NonValidated["X-Raw"]));
        Assert.Equal(["gzip"], fast.Headers.ContentEncoding);
    }

    [Fact]
    public void Share_GivesTheWrapperTheWrappedContentsCollection()
    {
        using var source = Source();
        using var wrapper = new ByteArrayContent([]);

        HttpHeadersCopier.ShareContentHeaders(source, wrapper);

        Assert.True(HttpHeadersCopier.SharesHeaders); // this runtime's HttpContent._headers is found
        Assert.Same(source.Headers, wrapper.Headers);
        Assert.Equal(2, wrapper.Headers.ContentLength);
    }

    [Fact]
    public void CopiedValues_AreNotShared_SoChangingTheWrapperNeverChangesTheWrapped()
    {
        using var source = Source();
        using var copy = new ByteArrayContent([]);
        HttpHeadersCopier.CopyContentHeaders(source, copy);

        Assert.NotSame(source.Headers.ContentType, copy.Headers.ContentType);
        copy.Headers.ContentType!.CharSet = "latin1";
        copy.Headers.ContentEncoding.Add("br");

        Assert.Equal("utf-8", source.Headers.ContentType!.CharSet);
        Assert.Equal(["gzip"], source.Headers.ContentEncoding);
    }
}
