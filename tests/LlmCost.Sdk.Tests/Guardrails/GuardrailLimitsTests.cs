using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using Anthropic;
using Anthropic.Models.Messages;
using OpenAI;
using OpenAI.Chat;

namespace LlmCost.Sdk.Tests.Guardrails;

/// <summary>Token ceilings (refuse or clamp, per provider, on real request shapes), rate limits and loop detection.</summary>
public sealed class GuardrailLimitsTests
{
    public static TheoryData<string, string, string> Shapes => new()
    {
        // OpenAI Chat Completions as the official SDK sends it.
        { "https://api.openai.com/v1/chat/completions", """{"messages":[{"role":"user","content":"Hello"}],"model":"gpt-4o","max_completion_tokens":4000,"temperature":0.2}""", "\"max_completion_tokens\":" },
        { "https://api.openai.com/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}],"max_tokens":4000}""", "\"max_tokens\":" },
        { "https://api.openai.com/v1/responses", """{"model":"gpt-4o","input":[{"role":"user","content":"Hello"}],"max_output_tokens":4000}""", "\"max_output_tokens\":" },
        { "https://api.anthropic.com/v1/messages", """{"max_tokens":4000,"messages":[{"content":"Hello","role":"user"}],"model":"claude-sonnet-4-5"}""", "\"max_tokens\":" },
        { "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent", """{"contents":[{"role":"user","parts":[{"text":"Hello"}]}],"generationConfig":{"maxOutputTokens":4000,"temperature":0.2}}""", "\"maxOutputTokens\":" },
        { "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-sonnet-4-5-20250929-v1:0/converse", """{"messages":[{"role":"user","content":[{"text":"Hello"}]}],"inferenceConfig":{"maxTokens":4000,"temperature":0.5}}""", "\"maxTokens\":" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Ceiling_Clamp_RewritesOnlyTheNumber(string url, string body, string field)
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("ceiling", o =>
        {
            o.MaxOutputTokens = 512;
            o.ClampOutputTokens = true;
        }));
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        await host.SendAsync(client, request);

        var sent = Encoding.UTF8.GetString(Assert.Single(host.Provider.Bodies));
        Assert.Equal(body.Replace(field + "4000", field + "512", StringComparison.Ordinal), sent);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Ceiling_Refuse_NothingSent(string url, string body, string field)
    {
        _ = field;
        await using var host = GuardrailHost.Create(b => b.AddBudget("ceiling", o => o.MaxOutputTokens = 512));
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        var refused = await Assert.ThrowsAsync<LlmTokenCeilingExceededException>(() => host.SendAsync(client, request));

        Assert.Equal((4000, 512), (refused.Requested, refused.Ceiling));
        Assert.Equal(0, host.Provider.Requests);
        await host.SettleAsync();
        Assert.Equal("token_ceiling_exceeded", Assert.Single(host.Sink.Records).ErrorType);
    }

    [Fact]
    public async Task Ceiling_Clamp_OpenAISdkRequest_OnlyMaxCompletionTokensChanges()
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("ceiling", o =>
        {
            o.MaxOutputTokens = 512;
            o.ClampOutputTokens = true;
        }));
        using var http = host.CreateClient();
        var chat = new ChatClient("gpt-4o", new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Transport = new HttpClientPipelineTransport(http) });

        await chat.CompleteChatAsync([new UserChatMessage("Hello")], new ChatCompletionOptions { MaxOutputTokenCount = 4000, Temperature = 0.2f });

        var sent = Encoding.UTF8.GetString(Assert.Single(host.Provider.Bodies));
        Assert.Contains("\"max_completion_tokens\":512", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("4000", sent, StringComparison.Ordinal);
        Assert.Contains("\"temperature\":0.2", sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ceiling_Clamp_AnthropicSdkRequest_OnlyMaxTokensChanges()
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("ceiling", o =>
        {
            o.MaxOutputTokens = 512;
            o.ClampOutputTokens = true;
        }));
        using var http = host.CreateClient();
        using var client = new AnthropicClient(new Anthropic.Core.ClientOptions { HttpClient = http, ApiKey = "sk-ant-test", MaxRetries = 0 });

        try
        {
            await client.Messages.Create(new MessageCreateParams { Model = "claude-sonnet-4-5", MaxTokens = 4000, Messages = [new UserMessageParam("Hello")] });
        }
        catch (Exception ex) when (ex is not LlmGuardrailException)
        {
            // The fake provider answers in OpenAI's shape, which the Anthropic SDK may reject: only the request matters here.
        }

        var sent = Encoding.UTF8.GetString(Assert.Single(host.Provider.Bodies));
        Assert.Contains("\"max_tokens\":512", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("4000", sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimit_Queue_WaitsForTheNextWindowInsteadOfRefusing()
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("rate", o =>
        {
            o.RequestsPerWindow = 1;
            o.RateLimitWindow = TimeSpan.FromMilliseconds(100);
            o.RateLimitQueue = 1;
        }));
        using var client = host.CreateClient();
        await host.SendAsync(client);
        await host.SendAsync(client); // queued until the next window, then sent
        Assert.Equal(2, host.Provider.Requests);
    }

    [Fact]
    public async Task Ceiling_Clamp_NoFieldOnOpenAI_AddsMaxCompletionTokens()
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("ceiling", o =>
        {
            o.MaxOutputTokens = 256;
            o.ClampOutputTokens = true;
        }));
        using var client = host.CreateClient();

        await host.SendAsync(client, GuardrailHost.Chat(maxTokens: null));

        Assert.Equal("""{"max_completion_tokens":256,"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}]}""", Encoding.UTF8.GetString(Assert.Single(host.Provider.Bodies)));
    }

    [Fact]
    public async Task Ceiling_UnderCeiling_BodyUntouched()
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("ceiling", o =>
        {
            o.MaxOutputTokens = 2000;
            o.ClampOutputTokens = true;
        }));
        using var client = host.CreateClient();
        using var request = GuardrailHost.Chat(maxTokens: 1000);
        var original = await request.Content!.ReadAsStringAsync();

        await host.SendAsync(client, request);

        Assert.Equal(original, Encoding.UTF8.GetString(Assert.Single(host.Provider.Bodies)));
    }

    [Fact]
    public async Task RateLimit_Requests_RefusesWithRetryAfter()
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("rate", o =>
        {
            o.Customer = "*";
            o.RequestsPerWindow = 2;
            o.RateLimitWindow = TimeSpan.FromHours(1);
        }));
        using var client = host.CreateClient();
        using (LlmCostScope.Begin(customer: "acme"))
        {
            await host.SendAsync(client);
            await host.SendAsync(client);
            var refused = await Assert.ThrowsAsync<LlmRateLimitExceededException>(() => host.SendAsync(client));
            Assert.NotNull(refused.RetryAfter);
            Assert.InRange(refused.RetryAfter!.Value, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));
            Assert.Equal("rate_limited", refused.ErrorType);
        }

        using (LlmCostScope.Begin(customer: "globex"))
        {
            await host.SendAsync(client); // another scope
        }

        Assert.Equal(3, host.Provider.Requests);
    }

    [Fact]
    public async Task RateLimit_Tokens_CountsTheEstimate()
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("rate", o =>
        {
            o.TokensPerWindow = 1500;
            o.RateLimitWindow = TimeSpan.FromHours(1);
        }));
        using var client = host.CreateClient();
        await host.SendAsync(client); // 1,028 estimated tokens
        await Assert.ThrowsAsync<LlmRateLimitExceededException>(() => host.SendAsync(client));
        Assert.Equal(1, host.Provider.Requests);
    }

    [Fact]
    public async Task Loop_SameBodyNTimes_AlertsAndRefuses()
    {
        var handler = new CollectingAlertHandler();
        await using var host = GuardrailHost.Create(b => b
            .AddBudget("loops", o =>
            {
                o.Feature = "agent";
                o.LoopThreshold = 3;
                o.LoopWindow = TimeSpan.FromMinutes(5);
                o.RefuseLoops = true;
            })
            .AddBudgetAlertHandler(handler));
        using var client = host.CreateClient();
        using var scope = LlmCostScope.Begin(feature: "agent");

        await host.SendAsync(client);
        await host.SendAsync(client, GuardrailHost.Chat(prompt: "Something else"));
        await host.SendAsync(client);
        var refused = await Assert.ThrowsAsync<LlmLoopDetectedException>(() => host.SendAsync(client));
        Assert.Equal(3, refused.Count);
        await handler.WaitAsync();
        Assert.Equal(LlmBudgetAlertKind.Loop, Assert.Single(handler.Alerts).Kind);

        // Outside the window the count starts again.
        host.Time.Advance(TimeSpan.FromMinutes(6));
        await host.SendAsync(client);
        Assert.Equal(4, host.Provider.Requests);
    }
}
