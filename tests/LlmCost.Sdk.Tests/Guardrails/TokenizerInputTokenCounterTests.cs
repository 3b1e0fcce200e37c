using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.Tokenizers;
using OpenAI;
using OpenAI.Chat;

namespace LlmCost.Sdk.Tests.Guardrails;

/// <summary>
/// With LlmCost.Sdk.Tokenizers, the pre-flight input estimate of budgets is the tokenizer's count of the request (the
/// usage estimator's rule), not one token per three bytes; and a call no budget applies to is never tokenized.
/// </summary>
public sealed class TokenizerInputTokenCounterTests
{
    /// <summary>Created here independently of the SDK's encoding table (tiktoken's encoding_for_model).</summary>
    private static readonly Tokenizer Cl100k = TiktokenTokenizer.CreateForModel("gpt-3.5-turbo");

    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForModel("gpt-4o");

    /// <summary>A chat request's documented count: 3 per message + 1 for its role + its text, then 3 priming the reply.</summary>
    private static long Chat(Tokenizer tokenizer, params string[] messages) => messages.Sum(m => 3 + 1 + tokenizer.CountTokens(m)) + 3;

    [Fact]
    public void AddTokenizerEstimation_RegistersTheCounter()
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking().AddTokenizerEstimation();
        using var sp = services.BuildServiceProvider();

        Assert.IsType<TokenizerInputTokenCounter>(sp.GetRequiredService<ILlmInputTokenCounter>());
    }

    [Fact]
    public async Task EstimateAsync_CapturedSayHiRequest_TokenizerCountNotByteLength()
    {
        // The request behind openai-chat-stream.sse (Payloads/SOURCES.md); the provider counted 10 input tokens for it.
        const string Body = """{"model":"gpt-3.5-turbo-0125","messages":[{"role":"user","content":"Say hi"}],"stream":true}""";

        var withTokenizer = await EstimateAsync("https://api.openai.com/v1/chat/completions", Body, tokenizers: true);
        var without = await EstimateAsync("https://api.openai.com/v1/chat/completions", Body, tokenizers: false);

        Assert.Equal(Chat(Cl100k, "Say hi"), withTokenizer.InputTokens);
        Assert.Equal(9, withTokenizer.InputTokens);
        Assert.Equal((Encoding.UTF8.GetByteCount(Body) + 2) / 3, without.InputTokens); // 32: the default's overestimate
    }

    [Fact]
    public async Task EstimateAsync_EmbeddingsDocsExample_EqualsProviderCount()
    {
        // OpenAI's embeddings reference example (openai-embeddings.json answers it with prompt_tokens 8): text only, no chat overhead.
        const string Body = """{"input":"The food was delicious and the waiter...","model":"text-embedding-ada-002","encoding_format":"float"}""";

        var estimate = await EstimateAsync("https://api.openai.com/v1/embeddings", Body, tokenizers: true);

        Assert.Equal(Cl100k.CountTokens("The food was delicious and the waiter..."), estimate.InputTokens);
        Assert.Equal(8, estimate.InputTokens);
    }

    [Fact]
    public async Task EstimateAsync_EmbeddingsDeploymentWhoseNameDoesNotSayEmbed_CountedByItsOperation()
    {
        // An Azure OpenAI embeddings deployment named "vectors" (no model in the body): the counter is told the operation
        // the endpoint matched (embeddings), so the text alone is counted, with no chat overhead.
        const string Text = "The food was delicious and the waiter...";
        const string Body = """{"input":"The food was delicious and the waiter..."}""";
        const string Url = "https://contoso.openai.azure.com/openai/deployments/vectors/embeddings?api-version=2024-10-21";

        var estimate = await EstimateAsync(Url, Body, tokenizers: true);

        Assert.Equal(LlmOperations.Embeddings, estimate.Operation);
        var tokenizer = LlmCost.Sdk.Tokenizers.ModelEncodings.Tokenizer(LlmCost.Sdk.Tokenizers.ModelEncodings.EncodingFor("vectors"));
        Assert.Equal(tokenizer.CountTokens(Text), estimate.InputTokens);

        // Without the operation (the older overload) the same body counts as a chat request: more than its text.
        Assert.True(new TokenizerInputTokenCounter().CountInputTokens(LlmProviders.AzureOpenAI, "vectors", System.Text.Encoding.UTF8.GetBytes(Body)) > estimate.InputTokens);
    }

    [Fact]
    public async Task Budget_EmbeddingsRequest_CounterToldTheOperation()
    {
        var counter = new SpyCounter();
        await using var host = GuardrailHost.Create(b =>
        {
            b.Services.AddSingleton<ILlmInputTokenCounter>(counter);
            b.AddTokenizerEstimation();
            b.AddBudget("cap", o =>
            {
                o.Limit = 100m;
                o.Enforcement = LlmBudgetEnforcement.Refuse;
            });
        });
        using var http = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/embeddings")
        {
            Content = new StringContent("""{"input":"hello world","model":"text-embedding-3-small"}""", Encoding.UTF8, "application/json"),
        };

        using var response = await host.SendAsync(http, request);

        Assert.Equal([LlmOperations.Embeddings], counter.Operations);
        Assert.Equal(1, host.Provider.Requests);
    }

    [Fact]
    public async Task EstimateAsync_AnthropicMessagesWithSystem_CountsSystemAsAMessage()
    {
        const string Body = """{"model":"claude-sonnet-4-5","max_tokens":1024,"system":"You are a concise assistant.","messages":[{"role":"user","content":[{"type":"text","text":"Summarise the plot of Hamlet in one sentence."}]}]}""";

        var estimate = await EstimateAsync("https://api.anthropic.com/v1/messages", Body, tokenizers: true);

        // Claude's tokenizer is not published: o200k_base approximates it.
        Assert.Equal(Chat(O200k, "You are a concise assistant.", "Summarise the plot of Hamlet in one sentence."), estimate.InputTokens);
        Assert.Equal(1024, estimate.OutputTokens);
    }

    [Fact]
    public async Task Budget_OpenAISdkRequest_ReservesTheTokenizersCount()
    {
        var counter = new SpyCounter();
        await using var host = GuardrailHost.Create(b =>
        {
            b.Services.AddSingleton<ILlmInputTokenCounter>(counter);
            b.AddTokenizerEstimation();
            b.AddBudget("cap", o =>
            {
                o.Limit = 0.000001m;
                o.Enforcement = LlmBudgetEnforcement.Refuse;
            });
        });
        using var http = host.CreateClient();
        var chat = new ChatClient("gpt-4o", new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Transport = new HttpClientPipelineTransport(http) });

        var refused = await Assert.ThrowsAsync<LlmBudgetExceededException>(() => chat.CompleteChatAsync(
            [new SystemChatMessage("You are terse."), new UserChatMessage("What is the capital of France?")],
            new ChatCompletionOptions { MaxOutputTokenCount = 100 }));

        // The body the official SDK wrote, counted by the tokenizer: the reservation's worst case is that plus max_completion_tokens.
        var input = Chat(O200k, "You are terse.", "What is the capital of France?");
        Assert.Equal(input + 100, refused.EstimatedTokens);
        Assert.Equal(1, counter.Calls);
        Assert.Equal(0, host.Provider.Requests);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SendAsync_NoBudgetApplies_NothingIsTokenized(bool otherBudget)
    {
        var counter = new SpyCounter();
        await using var host = GuardrailHost.Create(b =>
        {
            b.Services.AddSingleton<ILlmInputTokenCounter>(counter);
            b.AddTokenizerEstimation();
            if (otherBudget)
            {
                b.AddBudget("other-feature", o =>
                {
                    o.Feature = "not-this-one";
                    o.Limit = 0.000001m;
                    o.Enforcement = LlmBudgetEnforcement.Refuse;
                });
            }
        });
        using var http = host.CreateClient();

        using var response = await host.SendAsync(http);
        await host.SettleAsync();

        Assert.Equal(0, counter.Calls);
        Assert.Equal(1, host.Provider.Requests);
        Assert.Null(Assert.Single(host.Sink.Records).ErrorType);
    }

    private static async Task<LlmCostEstimate> EstimateAsync(string url, string body, bool tokenizers)
    {
        var services = new ServiceCollection();
        var builder = services.AddLlmCostTracking();
        if (tokenizers)
        {
            builder.AddTokenizerEstimation();
        }

        await using var sp = services.BuildServiceProvider();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        var estimate = await sp.GetRequiredService<ILlmCostEstimator>().EstimateAsync(request);
        Assert.NotNull(estimate);
        return estimate;
    }

    /// <summary>The package's counter, counting how often the core asks it.</summary>
    private sealed class SpyCounter : ILlmInputTokenCounter
    {
        private readonly TokenizerInputTokenCounter _inner = new();
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public List<string> Operations { get; } = [];

        public long CountInputTokens(string provider, string? model, ReadOnlySpan<byte> body)
        {
            Interlocked.Increment(ref _calls);
            return _inner.CountInputTokens(provider, model, body);
        }

        public long CountInputTokens(string provider, string? model, string operation, ReadOnlySpan<byte> body)
        {
            Interlocked.Increment(ref _calls);
            lock (Operations)
            {
                Operations.Add(operation);
            }

            return _inner.CountInputTokens(provider, model, operation, body);
        }
    }
}
