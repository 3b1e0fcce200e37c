using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LlmCost.Sdk.Tests.Pricing;

/// <summary>
/// <see cref="LlmCostOptions.PriceTableUpdate"/>: a table read on an interval, validated like the embedded one and
/// swapped atomically; on failure the last good table stays, a warning is logged and the failure counted.
/// </summary>
public class PriceTableUpdaterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A table in the SDK's format whose one entry prices gpt-4o at <paramref name="input"/> / <paramref name="output"/>.</summary>
    private static string Table(string version, decimal input, decimal output) => $$"""
        {"schemaVersion":3,"version":"{{version}}","currency":"USD","entries":[
          {"provider":"openai","model":"gpt-4o","aliases":[],"source":"https://example.com","retrieved":"2026-11-30",
           "periods":[{"effectiveFrom":"2024-01-01","input":{{input}},"output":{{output}}}]}]}
        """;

    private sealed class StubHandler : HttpMessageHandler
    {
        public Func<HttpRequestMessage, HttpResponseMessage> Reply { get; set; } = _ => new HttpResponseMessage(HttpStatusCode.NotFound);

        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return Task.FromResult(Reply(request));
        }
    }

    private static HttpResponseMessage Ok(string body) => new(HttpStatusCode.OK) { Content = new StringContent(body) };

    private static (PriceTableUpdater Updater, PriceTableSource Source, FakeLogCollector Logs) Create(
        string source, HttpMessageHandler? handler = null, TimeProvider? time = null, Action<LlmCostOptions>? configure = null)
    {
        var options = new LlmCostOptions();
        options.PriceTableUpdate.Source = source;
        configure?.Invoke(options);
        var table = PriceTable.Parse(Table("1.0", 2.5m, 10m));
        var holder = new PriceTableSource(table);
        var logs = new FakeLogCollector();
        using var factory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        var client = new HttpClient(handler ?? new StubHandler(), disposeHandler: false);
        var updater = new PriceTableUpdater(holder, Options.Create(options), () => client, time ?? TimeProvider.System, factory.CreateLogger<PriceTableUpdater>());
        return (updater, holder, logs);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"schemaVersion":3,"version":"2.0","entries":[{"provider":"openai","model":"gpt-4o","periods":[{"effectiveFrom":"2024-01-01","input":-1,"output":1}]}]}""")]
    [InlineData("""{"schemaVersion":3,"version":"2.0","entries":[{"provider":"openai","model":"gpt-4o","periods":[{"effectiveFrom":"2024-01-01","input":1e30,"output":1}]}]}""")]
    [InlineData("""{"schemaVersion":3,"version":"2.0","entries":[]}""")]
    [InlineData("""{"gpt-4o":{"litellm_provider":"openai","mode":"chat","input_cost_per_token":2.5e-06,"output_cost_per_token":1e-05}}""")]
    public async Task Poll_BadRemoteTable_IsRefusedTheOldStaysAndAWarningIsLoggedAndCounted(string body)
    {
        var handler = new StubHandler { Reply = _ => Ok(body) };
        var (updater, source, logs) = Create("https://prices.example.com/prices.json?token=secret", handler);
        var before = source.Current;

        var taken = await updater.PollAsync();

        Assert.False(taken);
        Assert.Same(before, source.Current);
        Assert.Equal(1, updater.Failures);
        Assert.Equal(0, updater.Updates);
        var warning = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 201);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("https://prices.example.com/prices.json", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", warning.Message, StringComparison.Ordinal); // a token in the query never reaches the log
        Assert.Contains("Table 1.0 stays in force", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.NotFound)]
    public async Task Poll_ServerError_KeepsTheTableAndCounts(HttpStatusCode status)
    {
        var handler = new StubHandler { Reply = _ => new HttpResponseMessage(status) };
        var (updater, source, logs) = Create("https://prices.example.com/prices.json", handler);

        Assert.False(await updater.PollAsync());

        Assert.Equal("1.0", source.Current.Version);
        Assert.Equal(1, updater.Failures);
        Assert.Contains(logs.GetSnapshot(), r => r.Message.Contains($"HTTP {(int)status}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Poll_GoodTable_IsSwappedInAndOptionPricesStillApply()
    {
        var handler = new StubHandler { Reply = _ => Ok(Table("2.0", 2m, 8m)) };
        var (updater, source, logs) = Create("https://prices.example.com/prices.json", handler, configure: o =>
            o.Prices.Add(new ModelPrice { Provider = "openai", Model = "in-house", Input = 1m, Output = 1m }));

        Assert.True(await updater.PollAsync());

        Assert.Equal("2.0+custom", source.Current.Version);
        Assert.Equal(2m, source.Current.Find("openai/gpt-4o")!.Periods[0].Rates.Base.Input);
        Assert.NotNull(source.Current.Find("openai/in-house"));
        Assert.Equal(1, updater.Updates);
        Assert.Contains(logs.GetSnapshot(), r => r.Id.Id == 200);

        // The same bytes again: nothing to do.
        Assert.False(await updater.PollAsync());
        Assert.Equal(1, updater.Updates);
        Assert.Equal(0, updater.Failures);
    }

    [Fact]
    public async Task Poll_FileSource_IsReadAndAMissingFileKeepsTheTable()
    {
        var path = Path.Combine(Path.GetTempPath(), $"prices-{Guid.NewGuid():N}.json");
        var (updater, source, _) = Create(path);
        try
        {
            Assert.False(await updater.PollAsync());
            Assert.Equal(1, updater.Failures);

            await File.WriteAllTextAsync(path, Table("3.0", 1m, 1m));
            Assert.True(await updater.PollAsync());
            Assert.Equal("3.0", source.Current.Version);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Start_PollsAtOnceThenOnTheInterval()
    {
        var time = new FakeTimeProvider(Now);
        var version = 1;
        var handler = new StubHandler { Reply = _ => Ok(Table($"{++version}.0", version, version)) };
        var (updater, source, _) = Create("https://prices.example.com/prices.json", handler, time, o => o.PriceTableUpdate.Interval = TimeSpan.FromHours(1));
        var polled = System.Threading.Channels.Channel.CreateUnbounded<bool>();
        updater.Polled += taken => polled.Writer.TryWrite(taken);

        updater.Start();
        Assert.True(await polled.Reader.ReadAsync()); // the first read is at start-up
        Assert.Equal("2.0", source.Current.Version);

        time.Advance(TimeSpan.FromMinutes(59));
        Assert.False(polled.Reader.TryRead(out _)); // not before the interval
        Assert.Equal(1, handler.Requests);

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await polled.Reader.ReadAsync());
        Assert.Equal("3.0", source.Current.Version);

        updater.Stop();
        time.Advance(TimeSpan.FromHours(2));
        Assert.False(polled.Reader.TryRead(out _)); // stopped
        updater.Dispose();
    }

    [Fact]
    public async Task TryPrice_TablesSwappedUnderConcurrentPricing_EveryRecordIsPricedByOneWholeTable()
    {
        // Two tables whose version and rates go together: a torn read would pair one's version with the other's cost.
        var a = PriceTable.Parse(Table("A", 1m, 1m));
        var b = PriceTable.Parse(Table("B", 3m, 3m));
        var source = new PriceTableSource(a);
        var resolver = new PriceResolver(source);
        var usage = new TokenUsage { InputTokens = 1_000_000, OutputTokens = 1_000_000, Source = UsageSource.Provider };
        using var stop = new CancellationTokenSource();
        var swaps = 0;
        var swapper = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                source.Swap((swaps++ & 1) == 0 ? b : a);
            }
        });

        // Each pricer prices at least 50,000 times, and goes on until both tables have been seen by someone: on a loaded
        // machine the swapper may not run for a while, and a run that saw one table only would prove nothing.
        var seenA = 0;
        var seenB = 0;
        var deadline = Environment.TickCount64 + 60_000;
        var pricers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 50_000 || ((Volatile.Read(ref seenA) == 0 || Volatile.Read(ref seenB) == 0) && Environment.TickCount64 < deadline); i++)
            {
                Assert.True(resolver.TryPrice("openai", "gpt-4o", null, usage, Now, null, null, out var cost, out var price));
                Assert.Equal(price!.TableVersion == "A" ? 2m : 6m, cost!.Total);
                Volatile.Write(ref price.TableVersion == "A" ? ref seenA : ref seenB, 1);
            }
        })).ToArray();
        await Task.WhenAll(pricers);
        await stop.CancelAsync();
        await swapper;

        Assert.True(swaps > 0);
        Assert.Equal(1, seenA);
        Assert.Equal(1, seenB);
    }

    [Fact]
    public async Task Host_PriceTableUpdateFromAFile_RecordsNameTheNewTableVersion()
    {
        var path = Path.Combine(Path.GetTempPath(), $"prices-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, Table("2027.1.0", 2m, 8m));
        try
        {
            var services = new ServiceCollection();
            services.AddLlmCostTracking(o => o.PriceTableUpdate.Source = path).AddInMemorySink();
            await using var provider = services.BuildServiceProvider();
            var updater = provider.GetRequiredService<PriceTableUpdater>();
            Assert.True(await updater.PollAsync());

            var source = provider.GetRequiredService<PriceTableSource>();
            Assert.Equal("2027.1.0", source.Current.Version);
            Assert.Same(source.Current, provider.GetRequiredService<LlmCostWriter>().Pricer.Table);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("ftp://prices.example.com/p.json", 60, "PriceTableUpdate.Source must be an http or https URL or a file path")]
    [InlineData("https://prices.example.com/p.json", 10, "PriceTableUpdate.Interval must be at least 1 minute")]
    public void Validate_BadUpdateOptions_FailNamingTheOption(string source, int intervalSeconds, string expected)
    {
        var options = new LlmCostOptions();
        options.PriceTableUpdate.Source = source;
        options.PriceTableUpdate.Interval = TimeSpan.FromSeconds(intervalSeconds);

        var result = new LlmCostOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }
}
