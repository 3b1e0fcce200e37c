using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests;

/// <summary>
/// One test's services: cost tracking with an in-memory sink, a tracked client ("tracked": cost handler, then
/// <see cref="RedirectHandler"/>) and an untracked client ("untracked": only the redirect) to compare against.
/// Built inside each test and disposed at its end.
/// </summary>
internal sealed class TrackedHost : IAsyncDisposable
{
    /// <summary>
    /// The tags of a call made by the SDK tests inside <c>LlmCostScope.Begin(feature: "ticket-triage", customer: "acme",
    /// tags: [experiment = b])</c> on the tracked client: each field from the most specific source that sets it.
    /// </summary>
    public static readonly LlmCostTags ExpectedSdkCallTags = new LlmCostTags
    {
        Feature = "ticket-triage",  // scope (over the options' "unattributed")
        Team = ClientTeam,          // client defaults (over the options' "platform")
        Customer = "acme",          // scope
        Environment = Environment,  // options
        Custom =
        {
            ["experiment"] = "b",       // scope
            ["region"] = DefaultRegion, // options
        },
    }.MakeReadOnly();

    public const string Environment = "test";
    public const string ClientTeam = "search";
    public const string DefaultRegion = "eu";

    private TrackedHost(ServiceProvider services)
    {
        Services = services;
        Tracker = services.GetRequiredService<ILlmCostTracker>();
        Sink = services.GetRequiredService<InMemoryCostSink>();
        Factory = services.GetRequiredService<IHttpClientFactory>();
    }

    public ServiceProvider Services { get; }

    public ILlmCostTracker Tracker { get; }

    public InMemoryCostSink Sink { get; }

    public IHttpClientFactory Factory { get; }

    /// <summary>Builds the services.</summary>
    /// <param name="stub">The stub every request is redirected to.</param>
    /// <param name="afterCostHandler">Adds handlers between the cost handler and the redirect, on the tracked client.</param>
    /// <param name="configure">Changes the options after the test defaults are set.</param>
    /// <param name="configureClient">Changes the tracked client's options after the test defaults are set.</param>
    /// <param name="time">The clock of the SDK (records' timestamps pick price periods and time-of-day windows).</param>
    public static TrackedHost Create(
        ProviderStub stub,
        Action<IHttpClientBuilder>? afterCostHandler = null,
        Action<LlmCostOptions>? configure = null,
        Action<LlmCostClientOptions>? configureClient = null,
        TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddLlmCostTracking(o =>
            {
                o.Environment = Environment;

                // Options defaults sit below everything: each is overridden in the tests except the custom "region".
                o.DefaultTags.Feature = "unattributed";
                o.DefaultTags.Team = "platform";
                o.DefaultTags.Custom["region"] = "eu";
                configure?.Invoke(o);
            })
            .AddInMemorySink()
            .AddTokenizerEstimation(); // the opt-in package: calls without usage are estimated, as the tests expect

        var tracked = services.AddHttpClient("tracked", c => c.Timeout = TimeSpan.FromSeconds(30))
            .AddLlmCostTracking(o =>
            {
                o.DefaultTags.Team = ClientTeam;
                configureClient?.Invoke(o);
            });
        afterCostHandler?.Invoke(tracked);
        tracked.AddHttpMessageHandler(() => new RedirectHandler(stub.BaseAddress, stub.OnResponseHeaders));

        services.AddHttpClient("untracked", c => c.Timeout = TimeSpan.FromSeconds(30))
            .AddHttpMessageHandler(() => new RedirectHandler(stub.BaseAddress, stub.OnResponseHeaders));

        return new TrackedHost(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
    }

    public HttpClient CreateClient() => Factory.CreateClient("tracked");

    public HttpClient CreateUntrackedClient() => Factory.CreateClient("untracked");

    /// <summary>
    /// Flushes, asserts exactly one record reached the sink and exactly one was ever queued (a call finished twice would
    /// have queued two; a finished call cannot finish again), flushes again and asserts that no second record appeared.
    /// </summary>
    public async Task<CostRecord> SingleRecordAsync()
    {
        await Tracker.FlushAsync();
        var record = Assert.Single(Sink.Records);

        // Deterministic, no waiting: the one record's call has finished, and finishing is once only.
        Assert.Equal(1, Tracker.Statistics.Queued);
        await Tracker.FlushAsync();
        Assert.Single(Sink.Records);
        return record;
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();

    /// <summary>A Chat Completions request as an app would send it.</summary>
    public static HttpRequestMessage OpenAIChatRequest(string model = "gpt-4o", bool stream = false)
    {
        var body = stream
            ? $$$"""{"model":"{{{model}}}","messages":[{"role":"user","content":"Hello"}],"stream":true,"stream_options":{"include_usage":true}}"""
            : $$$"""{"model":"{{{model}}}","messages":[{"role":"user","content":"Hello"}]}""";
        return new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
    }

    /// <summary>A Messages request as an app would send it.</summary>
    public static HttpRequestMessage AnthropicRequest(string model = "claude-sonnet-4-5", bool stream = false)
    {
        var body = $$"""{"model":"{{model}}","max_tokens":1024,"messages":[{"role":"user","content":"Hello"}]""" + (stream ? ""","stream":true}""" : "}");
        return new HttpRequestMessage(HttpMethod.Post, "https://api.anthropic.com/v1/messages")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
    }

    /// <summary>The request a payload file answers: OpenAI Responses, OpenAI Chat Completions or Anthropic Messages.</summary>
    public static HttpRequestMessage RequestFor(string payload)
    {
        var stream = payload.EndsWith(".sse", StringComparison.Ordinal);
        if (payload.StartsWith("anthropic", StringComparison.Ordinal))
        {
            return AnthropicRequest(stream: stream);
        }

        if (ProviderUrl(payload) is { } url)
        {
            // Gemini, Vertex AI and Bedrock name the model in the URL; their request bodies are not read.
            return new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new StringContent("""{"contents":[{"role":"user","parts":[{"text":"Hello"}]}]}""", System.Text.Encoding.UTF8, "application/json"),
            };
        }

        var request = OpenAIChatRequest(stream: stream);
        if (payload.StartsWith("openai-responses", StringComparison.Ordinal))
        {
            request.RequestUri = new Uri("https://api.openai.com/v1/responses");
        }

        return request;
    }

    /// <summary>The URL a Google or Bedrock payload answers, or <see langword="null"/> for the OpenAI and Anthropic shapes.</summary>
    private static string? ProviderUrl(string payload)
    {
        const string Gemini = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash";
        const string Vertex = "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers";
        const string Bedrock = "https://bedrock-runtime.us-east-1.amazonaws.com/model";
        var sse = payload.EndsWith(".sse", StringComparison.Ordinal);
        var array = payload.EndsWith("-array.json", StringComparison.Ordinal);
        var method = sse ? ":streamGenerateContent?alt=sse" : array ? ":streamGenerateContent" : ":generateContent";
        return payload switch
        {
            _ when payload.StartsWith("gemini-", StringComparison.Ordinal) => Gemini + method,
            "vertex-claude-rawpredict.json" => Vertex + "/anthropic/models/claude-opus-4-6:rawPredict",
            _ when payload.StartsWith("vertex-", StringComparison.Ordinal) => Vertex + "/google/models/gemini-2.5-flash" + method,
            _ when payload.EndsWith(".eventstream", StringComparison.Ordinal) => Bedrock + "/eu.anthropic.claude-sonnet-4-6/converse-stream",
            _ when payload.StartsWith("bedrock-converse", StringComparison.Ordinal) => Bedrock + "/us.anthropic.claude-sonnet-4-5-20250929-v1:0/converse",
            "bedrock-invoke-nova.json" => Bedrock + "/amazon.nova-pro-v1:0/invoke",
            _ when payload.StartsWith("bedrock-invoke", StringComparison.Ordinal) => Bedrock + "/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke",
            _ => null,
        };
    }

    /// <summary>Reads until the first blank line (the end of the first SSE event) and returns the bytes read.</summary>
    public static async Task<byte[]> ReadFirstEventAsync(Stream stream, CancellationToken cancellationToken)
    {
        var read = new List<byte>();
        var buffer = new byte[1024];
        while (!EndsEvent(read))
        {
            var n = await stream.ReadAsync(buffer, cancellationToken);
            if (n == 0)
            {
                break;
            }

            read.AddRange(buffer.AsSpan(0, n));
        }

        return [.. read];
    }

    private static bool EndsEvent(List<byte> read)
    {
        for (var i = 0; i + 1 < read.Count; i++)
        {
            if (read[i] == (byte)'\n' && read[i + 1] == (byte)'\n')
            {
                return true;
            }
        }

        return false;
    }
}
