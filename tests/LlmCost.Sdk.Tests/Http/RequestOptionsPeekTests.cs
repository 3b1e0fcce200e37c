namespace LlmCost.Sdk.Tests.Http;

/// <summary>Request tags are found without creating the request's options (about 100 bytes per call).</summary>
public class RequestOptionsPeekTests
{
    [Fact]
    public void FreshRequest_HasNoOptions_AndPeekingCreatesNone()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions");

        Assert.Null(RequestOptionsPeek.Existing(request));
        Assert.Null(RequestOptionsPeek.Tags(request));
        Assert.True(RequestOptionsPeek.ReadsField); // this runtime's field is read; the public fallback would allocate
        Assert.Null(RequestOptionsPeek.Existing(request));
    }

    [Fact]
    public void TagsSetByTheApp_AreFound()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions");
        var tags = new LlmCostTags { Feature = "triage" };
        request.SetLlmCostTags(tags);

        Assert.Same(request.Options, RequestOptionsPeek.Existing(request));
        Assert.Same(tags, RequestOptionsPeek.Tags(request));
    }

    [Fact]
    public void ModelIdsTheTableDoesNotKnow_AreAllocatedOnce()
    {
        var first = ModelIdCache.Get("gpt-4o-2099-01-01-test"u8);
        var second = ModelIdCache.Get("gpt-4o-2099-01-01-test"u8);

        Assert.Equal("gpt-4o-2099-01-01-test", first);
        Assert.Same(first, second);
    }
}
