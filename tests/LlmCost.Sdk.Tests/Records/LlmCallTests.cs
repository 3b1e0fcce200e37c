using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests.Records;

/// <summary>The public recording API: <see cref="ILlmCostTracker.BeginCall"/> and <see cref="LlmCall"/>.</summary>
public class LlmCallTests
{
    private static ServiceProvider Services(Action<LlmCostOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o =>
        {
            o.Environment = "test";
            o.DefaultTags.Team = "platform";
            configure?.Invoke(o);
        }).AddInMemorySink();
        return services.BuildServiceProvider();
    }

    private static TokenUsage Cached => new() { InputTokens = 2006, CachedInputTokens = 1920, OutputTokens = 300, Source = UsageSource.Provider };

    [Fact]
    public async Task Complete_CallWithUsage_WritesOnePricedRecordAttributedByThePrecedenceRule()
    {
        await using var sp = Services();
        var tracker = sp.GetRequiredService<ILlmCostTracker>();

        using (LlmCostScope.Begin(feature: "triage", customer: "scope-customer"))
        {
            var call = tracker.BeginCall(LlmProviders.OpenAI, LlmOperations.Chat, "gpt-4o", new LlmCostTags { Customer = "call-customer" }, new LlmCostTags { Feature = "client-feature", Team = "client-team" });
            Assert.Equal("call-customer", call.Tags.Customer);
            call.ResponseModel = "gpt-4o-2024-08-06";
            call.ServiceTier = "default";
            call.Usage = Cached;
            call.Complete();
            call.Complete(); // idempotent
            call.Dispose();
        }

        await tracker.FlushAsync();
        var record = Assert.Single(sp.GetRequiredService<InMemoryCostSink>().Records);
        Assert.Equal("openai", record.Provider);
        Assert.Equal("chat", record.Operation);
        Assert.Equal("gpt-4o", record.RequestModel);
        Assert.Equal("gpt-4o-2024-08-06", record.Model);
        Assert.Equal("default", record.ServiceTier);
        Assert.Null(record.StatusCode);
        Assert.Equal(0.005615m, record.Cost!.Total);
        Assert.Equal("triage", record.Tags.Feature);           // scope over the caller's defaults
        Assert.Equal("client-team", record.Tags.Team);         // caller's defaults over the options'
        Assert.Equal("call-customer", record.Tags.Customer);   // the call's own over the scope
        Assert.Equal("test", record.Tags.Environment);         // options
        Assert.NotEqual(Guid.Empty, record.Id);
    }

    [Fact]
    public async Task Fail_ExceptionWithoutUsage_RecordsTheErrorTypeAndNoCost()
    {
        await using var sp = Services();
        var tracker = sp.GetRequiredService<ILlmCostTracker>();

        using (var call = tracker.BeginCall(LlmProviders.Anthropic, LlmOperations.Chat, "claude-sonnet-4-5"))
        {
            call.Fail(new TimeoutException());
            call.Fail(new InvalidOperationException()); // the first error is kept
        }

        await tracker.FlushAsync();
        var record = Assert.Single(sp.GetRequiredService<InMemoryCostSink>().Records);
        Assert.Equal(typeof(TimeoutException).FullName, record.ErrorType);
        Assert.Equal(UsageSource.None, record.Usage.Source);
        Assert.Equal(0, tracker.Statistics.MissingUsage); // a failed call is not a missing report
    }

    [Fact]
    public async Task Complete_SuccessWithoutUsage_CostUnknownAndCounted()
    {
        await using var sp = Services();
        var tracker = sp.GetRequiredService<ILlmCostTracker>();

        tracker.BeginCall(LlmProviders.OpenAI, LlmOperations.Chat, "gpt-4o").Complete();

        await tracker.FlushAsync();
        Assert.Null(Assert.Single(sp.GetRequiredService<InMemoryCostSink>().Records).Cost);
        Assert.Equal(1, tracker.Statistics.MissingUsage);
    }

    [Fact]
    public async Task BeginCall_TrackingDisabled_RecordsNothing()
    {
        await using var sp = Services(o => o.Enabled = false);
        var tracker = sp.GetRequiredService<ILlmCostTracker>();
        Assert.False(tracker.IsEnabled);

        using (var call = tracker.BeginCall(LlmProviders.OpenAI, LlmOperations.Chat, "gpt-4o"))
        {
            call.Usage = Cached;
        }

        await tracker.FlushAsync();
        Assert.Empty(sp.GetRequiredService<InMemoryCostSink>().Records);
    }

    [Fact]
    public async Task Enter_TrackedHttpClientInside_OnlyTheHttpRecordWithTheCallsTags()
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.ForPayload("openai-chat-cached.json"));
        await using var host = TrackedHost.Create(stub);
        var call = host.Tracker.BeginCall(LlmProviders.OpenAI, LlmOperations.Chat, "gpt-4o", new LlmCostTags { Customer = "call-customer" });
        Assert.Null(LlmCall.Current);
        using (call.Enter())
        {
            Assert.Same(call, LlmCall.Current);
            using var response = await host.CreateClient().SendAsync(TrackedHost.OpenAIChatRequest());
            await response.Content.ReadAsStringAsync();
        }

        Assert.Null(LlmCall.Current);
        Assert.True(call.IsTrackedByHttp);
        Assert.Equal(default, call.Enter()); // the decision is made: nothing more to enter
        call.Usage = Cached;
        call.Complete();

        var record = await host.SingleRecordAsync();
        Assert.Equal(200, record.StatusCode); // the HTTP record, read from the provider's bytes
        Assert.Equal("call-customer", record.Tags.Customer);
    }

    [Fact]
    public void BeginCall_MissingProviderOrOperation_Throws()
    {
        using var sp = Services();
        var tracker = sp.GetRequiredService<ILlmCostTracker>();

        Assert.Throws<ArgumentNullException>(() => tracker.BeginCall(null!, LlmOperations.Chat));
        Assert.Throws<ArgumentException>(() => tracker.BeginCall(LlmProviders.OpenAI, " "));
    }

    [Fact]
    public void Constructor_ForTestDoubles_RecordsNothingAndNeverThrows()
    {
        using var call = new LlmCall(LlmProviders.OpenAI, LlmOperations.Chat, "gpt-4o", new LlmCostTags { Feature = "f" });
        call.Usage = Cached;
        call.Complete();

        Assert.Equal("f", call.Tags.Feature);
        Assert.False(call.IsTrackedByHttp);
    }
}
