using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmCost.Sdk.Extensions.AI.Tests;

public sealed class CostTrackingChatClientTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static readonly LlmCostTags OptionsTags = new()
    {
        Team = "platform",
        Environment = TestServices.Environment,
        Custom = { ["region"] = "eu" },
    };

    [Fact]
    public async Task Constructor_PublicWithoutABuilder_RecordsThroughTheTrackersPublicApi()
    {
        await using var services = TestServices.Create();
        using var inner = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hi"))
            {
                ModelId = "gpt-4o-2024-08-06",
                Usage = new UsageDetails { InputTokenCount = 2006, CachedInputTokenCount = 1920, OutputTokenCount = 300 },
            }),
        };
        using var client = new CostTrackingChatClient(inner, services.GetRequiredService<ILlmCostTracker>(), new LlmCostTags { Feature = "direct" });

        await client.GetResponseAsync("Hello");

        var record = await services.SingleRecordAsync();
        Assert.Equal("direct", record.Tags.Feature);
        Assert.Equal(0.005615m, record.Cost!.Total);
        Assert.Throws<ArgumentNullException>(() => new CostTrackingChatClient(inner, null!));
    }

    [Fact]
    public async Task GetResponseAsync_OpenAIUsage_RecordsEveryFieldAndExactCost()
    {
        var time = new FakeTimeProvider(Start);
        await using var services = TestServices.Create(time: time);
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hello!"))
        {
            ModelId = "gpt-4o-2024-08-06",
            // As Microsoft.Extensions.AI.OpenAI maps openai-chat-cached.json: InputTokenCount is prompt_tokens, which
            // includes the 1920 cached tokens; OutputTokenCount is completion_tokens, which includes reasoning.
            Usage = new UsageDetails { InputTokenCount = 2006, CachedInputTokenCount = 1920, OutputTokenCount = 300, ReasoningTokenCount = 0, TotalTokenCount = 2306 },
        };
        using var inner = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) =>
            {
                time.Advance(TimeSpan.FromMilliseconds(1500));
                return Task.FromResult(response);
            },
        };
        using var client = inner.AsBuilder().UseLlmCostTracking().Build(services);

        var result = await client.GetResponseAsync("Hello");

        Assert.Same(response, result);
        var record = await services.SingleRecordAsync();
        Assert.NotEqual(Guid.Empty, record.Id);
        Assert.Equal(Start, record.Timestamp);
        Assert.Equal(1500, record.DurationMs);
        Assert.Equal("openai", record.Provider);
        Assert.Equal("chat", record.Operation);
        Assert.Equal("gpt-4o-2024-08-06", record.Model);
        Assert.Equal("gpt-4o", record.RequestModel); // ChatClientMetadata.DefaultModelId
        Assert.False(record.Streaming);
        Assert.Null(record.StatusCode);
        Assert.Null(record.ErrorType);
        Assert.Equal(OptionsTags, record.Tags);
        Assert.Equal(new TokenUsage { InputTokens = 2006, CachedInputTokens = 1920, OutputTokens = 300, Source = UsageSource.Provider }, record.Usage);

        // gpt-4o: $2.50 input / $1.25 cached input / $10.00 output per 1M tokens.
        // input  (2006 − 1920) = 86 × 2.50 / 1M = 0.000215
        // cached 1920 × 1.25 / 1M              = 0.0024
        // output 300 × 10.00 / 1M              = 0.003
        // total                                = 0.005615
        Assert.Equal(new CostBreakdown { Input = 0.000215m, CachedInput = 0.0024m, CacheWrite = 0m, Output = 0.003m, Total = 0.005615m }, record.Cost);
        Assert.Equal("openai/gpt-4o", record.Price?.Entry);
    }

    [Fact]
    public async Task GetResponseAsync_RequestModelInOptions_WinsOverMetadataDefault()
    {
        await using var services = TestServices.Create();
        using var inner = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse([]) { Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 } }),
        };
        using var client = inner.AsBuilder().UseLlmCostTracking().Build(services);

        await client.GetResponseAsync("Hello", new ChatOptions { ModelId = "gpt-4.1" });

        var record = await services.SingleRecordAsync();
        Assert.Equal("gpt-4.1", record.RequestModel);
        Assert.Null(record.Model);

        // Priced by the requested model when the response names none: gpt-4.1 $2.00 input / $8.00 output per 1M.
        // 10 × 2.00 / 1M + 5 × 8.00 / 1M = 0.00002 + 0.00004 = 0.00006
        Assert.Equal(0.00006m, record.Cost?.Total);
    }

    [Fact]
    public async Task GetResponseAsync_CachedAndReasoningOnlyInAdditionalCounts_AreRecovered()
    {
        await using var services = TestServices.Create();
        using var inner = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse([])
            {
                ModelId = "o1-2024-12-17",
                // The keys earlier Microsoft.Extensions.AI.OpenAI versions used before UsageDetails had the properties.
                Usage = new UsageDetails
                {
                    InputTokenCount = 1000,
                    OutputTokenCount = 500,
                    AdditionalCounts = new()
                    {
                        ["InputTokenDetails.CachedTokenCount"] = 400,
                        ["OutputTokenDetails.ReasoningTokenCount"] = 300,
                        ["OutputTokenDetails.AudioTokenCount"] = 0,
                    },
                },
            }),
        };
        using var client = inner.AsBuilder().UseLlmCostTracking().Build(services);

        await client.GetResponseAsync("Hello");

        var record = await services.SingleRecordAsync();
        Assert.Equal(new TokenUsage { InputTokens = 1000, CachedInputTokens = 400, OutputTokens = 500, ReasoningTokens = 300, Source = UsageSource.Provider }, record.Usage);

        // o1: $15.00 input / $7.50 cached input / $60.00 output per 1M tokens (reasoning is output).
        // input  (1000 − 400) = 600 × 15.00 / 1M = 0.009
        // cached 400 × 7.50 / 1M                 = 0.003
        // output 500 × 60.00 / 1M                = 0.03
        // total                                  = 0.042
        Assert.Equal(new CostBreakdown { Input = 0.009m, CachedInput = 0.003m, CacheWrite = 0m, Output = 0.03m, Total = 0.042m }, record.Cost);
    }

    [Theory]
    [InlineData(17843)] // the Anthropic SDK's adapter: input_tokens + cache_creation_input_tokens + cache_read_input_tokens
    [InlineData(3)]     // an adapter that passes Anthropic's raw input_tokens (cache excluded): the cache tokens are added back
    public async Task GetResponseAsync_AnthropicCacheCounts_RecordsReadsAndWritesInsideInput(long reportedInput)
    {
        await using var services = TestServices.Create();
        using var inner = new TestChatClient
        {
            Metadata = new ChatClientMetadata("anthropic", new Uri("https://api.anthropic.com/"), "claude-sonnet-4-5"),
            // anthropic-messages-cache.json: input_tokens 3, cache_creation_input_tokens 3117, cache_read_input_tokens 14723, output_tokens 1.
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse([])
            {
                ModelId = "claude-sonnet-4-5-20250929",
                Usage = new UsageDetails
                {
                    InputTokenCount = reportedInput,
                    CachedInputTokenCount = 14723,
                    OutputTokenCount = 1,
                    AdditionalCounts = new() { ["CacheCreationInputTokens"] = 3117 },
                },
            }),
        };
        using var client = inner.AsBuilder().UseLlmCostTracking().Build(services);

        await client.GetResponseAsync("Hello", new ChatOptions { MaxOutputTokens = 100 });

        var record = await services.SingleRecordAsync();
        Assert.Equal("anthropic", record.Provider);
        Assert.Equal("claude-sonnet-4-5", record.RequestModel);
        Assert.Equal(new TokenUsage { InputTokens = 17843, CachedInputTokens = 14723, CacheWriteInputTokens = 3117, OutputTokens = 1, Source = UsageSource.Provider }, record.Usage);

        // claude-sonnet-4-5: $3.00 input / $0.30 cache read / $3.75 cache write (5 min) / $15.00 output per 1M tokens.
        // input  (17843 − 14723 − 3117) = 3 × 3.00 / 1M = 0.000009
        // cached 14723 × 0.30 / 1M                     = 0.0044169
        // write  3117 × 3.75 / 1M                      = 0.01168875
        // output 1 × 15.00 / 1M                        = 0.000015
        // total                                        = 0.01612965
        Assert.Equal(new CostBreakdown { Input = 0.000009m, CachedInput = 0.0044169m, CacheWrite = 0.01168875m, Output = 0.000015m, Total = 0.01612965m }, record.Cost);
    }

    [Fact]
    public async Task GetResponseAsync_NoUsageAtAll_RecordsUsageNoneAndNoCost()
    {
        await using var services = TestServices.Create();
        using var inner = new TestChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse([]) { ModelId = "gpt-4o" }) };
        using var client = inner.AsBuilder().UseLlmCostTracking().Build(services);

        await client.GetResponseAsync("Hello");

        var record = await services.SingleRecordAsync();
        Assert.Equal(TokenUsage.None, record.Usage);
        Assert.Null(record.Cost);
        Assert.Equal(1, services.GetRequiredService<ILlmCostTracker>().Statistics.MissingUsage);
    }

    [Fact]
    public async Task GetResponseAsync_UnknownModel_RecordsUsageWithNullCostAndDoesNotThrow()
    {
        await using var services = TestServices.Create();
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { ModelId = "my-local-model", Usage = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 3 } };
        using var inner = new TestChatClient
        {
            Metadata = new ChatClientMetadata("ollama", new Uri("http://localhost:11434"), "my-local-model"),
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(response),
        };
        using var client = inner.AsBuilder().UseLlmCostTracking().Build(services);

        Assert.Same(response, await client.GetResponseAsync("Hello"));

        var record = await services.SingleRecordAsync();
        Assert.Equal("ollama", record.Provider);
        Assert.Equal("my-local-model", record.Model);
        Assert.Equal(new TokenUsage { InputTokens = 12, OutputTokens = 3, Source = UsageSource.Provider }, record.Usage);
        Assert.Null(record.Cost);
        Assert.Null(record.Price);
        Assert.Equal(1, services.GetRequiredService<ILlmCostTracker>().Statistics.Unpriced);
    }

    [Fact]
    public async Task GetResponseAsync_InnerThrows_SameExceptionReachesCallerAndOneRecordHasErrorType()
    {
        await using var services = TestServices.Create();
        var thrown = new InvalidOperationException("provider down");
        using var inner = new TestChatClient { GetResponseAsyncCallback = (_, _, _) => throw thrown };
        using var client = inner.AsBuilder().UseLlmCostTracking().Build(services);

        var caught = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync("Hello"));

        Assert.Same(thrown, caught);
        var record = await services.SingleRecordAsync();
        Assert.Equal("System.InvalidOperationException", record.ErrorType);
        Assert.Equal(TokenUsage.None, record.Usage);
        Assert.False(record.Streaming);
        Assert.Equal(0, services.GetRequiredService<ILlmCostTracker>().Statistics.MissingUsage); // a failure is not "missing usage"
    }

    [Fact]
    public async Task GetResponseAsync_Tags_CallOptionsOverScopeOverDecoratorDefaultsOverOptions()
    {
        await using var services = TestServices.Create();
        using var inner = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse([]) { Usage = new UsageDetails { InputTokenCount = 1, OutputTokenCount = 1 } }),
        };
        var defaults = new LlmCostTags { Team = "search", Customer = "default-customer" };
        defaults.Custom["cohort"] = "y";
        using var client = inner.AsBuilder().UseLlmCostTracking(defaults).Build(services);
        defaults.Team = "changed-after-build"; // the decorator copied its defaults

        var options = new ChatOptions
        {
            AdditionalProperties = new()
            {
                [LlmCostChatOptionsKeys.Feature] = "call-feature",
                [LlmCostChatOptionsKeys.CustomTagPrefix + "experiment"] = "b",
                ["llmcost.unknown"] = "ignored",
                [LlmCostChatOptionsKeys.Environment] = 42, // not a string: ignored
                ["temperature_hint"] = "not ours",
            },
        };
        using (LlmCostScope.Begin(feature: "scope-feature", customer: "acme", tags: [new("experiment", "a"), new("cohort", "x")]))
        {
            await client.GetResponseAsync("Hello", options);
        }

        var record = await services.SingleRecordAsync();
        Assert.Equal(
            new LlmCostTags
            {
                Feature = "call-feature",               // call options over scope
                Customer = "acme",                      // scope over decorator defaults
                Team = "search",                        // decorator defaults over options
                Environment = TestServices.Environment, // options
                Custom = { ["experiment"] = "b", ["cohort"] = "x", ["region"] = "eu" },
            },
            record.Tags);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_UsageInLastUpdate_YieldsEveryUpdateUnchangedAndRecordsOnce()
    {
        var time = new FakeTimeProvider(Start);
        await using var services = TestServices.Create(time: time);
        ChatResponseUpdate[] produced =
        [
            new(ChatRole.Assistant, "Hi") { ModelId = "gpt-3.5-turbo-0125" },
            new(ChatRole.Assistant, ", how are you?") { ModelId = "gpt-3.5-turbo-0125" },
            new(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15 })]) { ModelId = "gpt-3.5-turbo-0125" },
        ];
        using var inner = new TestChatClient { GetStreamingResponseAsyncCallback = (_, _, _) => Yield(produced, time) };
        using var client = inner.AsBuilder().UseLlmCostTracking().Build(services);

        var received = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Hello", new ChatOptions { ModelId = "gpt-3.5-turbo" }))
        {
            received.Add(update);
        }

        Assert.Equal(produced.Length, received.Count);
        for (var i = 0; i < produced.Length; i++)
        {
            Assert.Same(produced[i], received[i]);
        }

        Assert.Equal("Hi, how are you?", received.ToChatResponse().Text);
        var record = await services.SingleRecordAsync();
        Assert.True(record.Streaming);
        Assert.Equal(Start, record.Timestamp);
        Assert.Equal(300, record.DurationMs); // three updates, 100 ms apart: the stream is timed to its end
        Assert.Equal("gpt-3.5-turbo-0125", record.Model);
        Assert.Equal("gpt-3.5-turbo", record.RequestModel);
        Assert.Null(record.ErrorType);
        Assert.Equal(new TokenUsage { InputTokens = 10, OutputTokens = 5, Source = UsageSource.Provider }, record.Usage);

        // gpt-3.5-turbo: $0.50 input / $1.50 output per 1M: 10 × 0.50 / 1M + 5 × 1.50 / 1M = 0.000005 + 0.0000075 = 0.0000125
        Assert.Equal(new CostBreakdown { Input = 0.000005m, CachedInput = 0m, CacheWrite = 0m, Output = 0.0000075m, Total = 0.0000125m }, record.Cost);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_SeveralUsageContents_AreSummedAsToChatResponseDoes()
    {
        await using var services = TestServices.Create();
        ChatResponseUpdate[] produced =
        [
            new(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 2006, CachedInputTokenCount = 1920 })]) { ModelId = "gpt-4o-2024-08-06" },
            new(ChatRole.Assistant, "Hello"),
            new(ChatRole.Assistant, [new UsageContent(new UsageDetails { OutputTokenCount = 300 })]),
        ];
        using var inner = new TestChatClient { GetStreamingResponseAsyncCallback = (_, _, _) => Yield(produced) };
        using var client = inner.AsBuilder().UseLlmCostTracking().Build(services);

        var received = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Hello"))
        {
            received.Add(update);
        }

        var record = await services.SingleRecordAsync();
        var usage = received.ToChatResponse().Usage!;
        Assert.Equal(usage.InputTokenCount, record.Usage.InputTokens);
        Assert.Equal(usage.OutputTokenCount, record.Usage.OutputTokens);
        Assert.Equal(usage.CachedInputTokenCount, record.Usage.CachedInputTokens);
        Assert.Equal(0.005615m, record.Cost?.Total);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FirstUpdate_ReachesConsumerBeforeInnerProducesTheSecond()
    {
        await using var services = TestServices.Create();
        var secondMayCome = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondProduced = false;
        var first = new ChatResponseUpdate(ChatRole.Assistant, "Hi");
        var second = new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 })]);
        using var inner = new TestChatClient { GetStreamingResponseAsyncCallback = (_, _, ct) => Gated(ct) };
        using var client = inner.AsBuilder().UseLlmCostTracking().Build(services);

        await using var updates = client.GetStreamingResponseAsync("Hello").GetAsyncEnumerator();
        Assert.True(await updates.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Same(first, updates.Current);
        Assert.False(secondProduced);

        var next = updates.MoveNextAsync().AsTask();
        Assert.False(next.IsCompleted); // the decorator waits for the inner stream, it does not read ahead or buffer
        secondMayCome.SetResult();
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Same(second, updates.Current);
        Assert.False(await updates.MoveNextAsync());

        Assert.Equal(10, (await services.SingleRecordAsync()).Usage.InputTokens);

        async IAsyncEnumerable<ChatResponseUpdate> Gated([EnumeratorCancellation] CancellationToken ct)
        {
            yield return first;
            await secondMayCome.Task.WaitAsync(ct);
            secondProduced = true;
            yield return second;
        }
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConsumerStopsEarly_RecordsExactlyOnceAndDisposesInner()
    {
        await using var services = TestServices.Create();
        var innerDisposed = false;
        using var inner = new TestChatClient { GetStreamingResponseAsyncCallback = (_, _, ct) => Endless(ct) };
        using var client = inner.AsBuilder().UseLlmCostTracking().Build(services);

        var seen = 0;
        await foreach (var update in client.GetStreamingResponseAsync("Hello"))
        {
            seen++;
            break;
        }

        Assert.Equal(1, seen);
        Assert.True(innerDisposed);
        var record = await services.SingleRecordAsync();
        Assert.True(record.Streaming);
        Assert.Null(record.ErrorType);
        Assert.Equal("gpt-4o-2024-08-06", record.Model);
        Assert.Equal(TokenUsage.None, record.Usage); // the usage would have come at the end of the stream
        Assert.Null(record.Cost);

        async IAsyncEnumerable<ChatResponseUpdate> Endless([EnumeratorCancellation] CancellationToken ct)
        {
            try
            {
                while (true)
                {
                    await Task.Yield();
                    yield return new ChatResponseUpdate(ChatRole.Assistant, "more") { ModelId = "gpt-4o-2024-08-06" };
                }
            }
            finally
            {
                innerDisposed = true;
            }
        }
    }

    [Fact]
    public async Task GetStreamingResponseAsync_InnerThrowsMidStream_SameExceptionReachesConsumerAndOneRecordHasErrorType()
    {
        await using var services = TestServices.Create();
        var thrown = new HttpRequestException("connection reset");
        using var inner = new TestChatClient { GetStreamingResponseAsyncCallback = (_, _, _) => Failing() };
        using var client = inner.AsBuilder().UseLlmCostTracking().Build(services);

        var seen = 0;
        var caught = await Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("Hello"))
            {
                seen++;
            }
        });

        Assert.Same(thrown, caught);
        Assert.Equal(1, seen);
        var record = await services.SingleRecordAsync();
        Assert.Equal("System.Net.Http.HttpRequestException", record.ErrorType);
        Assert.True(record.Streaming);

        async IAsyncEnumerable<ChatResponseUpdate> Failing()
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Hi");
            throw thrown;
        }
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Cancelled_ExceptionReachesConsumerAndOneRecordHasErrorType()
    {
        await using var services = TestServices.Create();
        using var cts = new CancellationTokenSource();
        using var inner = new TestChatClient { GetStreamingResponseAsyncCallback = (_, _, ct) => UntilCancelled(ct) };
        using var client = inner.AsBuilder().UseLlmCostTracking().Build(services);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("Hello", cancellationToken: cts.Token))
            {
                await cts.CancelAsync();
            }
        });

        var record = await services.SingleRecordAsync();
        Assert.Equal(typeof(TaskCanceledException).FullName, record.ErrorType);

        static async IAsyncEnumerable<ChatResponseUpdate> UntilCancelled([EnumeratorCancellation] CancellationToken ct)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Hi");
            await Task.Delay(Timeout.Infinite, ct);
            yield return new ChatResponseUpdate(ChatRole.Assistant, "never");
        }
    }

    [Fact]
    public async Task GetStreamingResponseAsync_HttpHandlerTracksALaterStep_DecoratorStandsAside()
    {
        // The HTTP handler marks the context of the call when it begins tracking a request; here the inner stream does so
        // in its second MoveNextAsync, as an SDK that sends its request lazily would. Every step runs inside the context.
        await using var services = TestServices.Create();
        using var inner = new TestChatClient { GetStreamingResponseAsyncCallback = (_, _, _) => Lazy() };
        using var client = inner.AsBuilder().UseLlmCostTracking().Build(services);

        await foreach (var update in client.GetStreamingResponseAsync("Hello"))
        {
            Assert.Null(LlmCall.Current); // the consumer's code runs outside the context
        }

        Assert.Empty(await services.RecordsAsync());

        static async IAsyncEnumerable<ChatResponseUpdate> Lazy()
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Hi");
            LlmCall.Current!.MarkTrackedByHttp();
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 })]);
        }
    }

    [Fact]
    public async Task GetResponseAsync_TrackingDisabled_PassesThroughWithoutRecording()
    {
        await using var services = TestServices.Create(o => o.Enabled = false);
        var response = new ChatResponse([]) { Usage = new UsageDetails { InputTokenCount = 1, OutputTokenCount = 1 } };
        using var inner = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(response),
            GetStreamingResponseAsyncCallback = (_, _, _) => Yield([new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(response.Usage)])]),
        };
        using var client = inner.AsBuilder().UseLlmCostTracking().Build(services);

        Assert.Same(response, await client.GetResponseAsync("Hello"));
        await foreach (var update in client.GetStreamingResponseAsync("Hello").WithCancellation(CancellationToken.None))
        {
        }

        Assert.Empty(await services.RecordsAsync());
    }

    [Fact]
    public async Task GetService_ReturnsTheDecoratorAndTheInnerMetadata()
    {
        await using var services = TestServices.Create();
        using var inner = new TestChatClient();
        using var client = inner.AsBuilder().UseLlmCostTracking().Build(services);

        Assert.IsType<CostTrackingChatClient>(client);
        Assert.Same(client, client.GetService<CostTrackingChatClient>());
        Assert.Same(inner.Metadata, client.GetService<ChatClientMetadata>());
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Yield(ChatResponseUpdate[] updates, FakeTimeProvider? time = null)
    {
        foreach (var update in updates)
        {
            await Task.Yield();
            time?.Advance(TimeSpan.FromMilliseconds(100));
            yield return update;
        }
    }
}
