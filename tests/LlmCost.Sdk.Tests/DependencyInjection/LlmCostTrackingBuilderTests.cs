using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk.Tests.DependencyInjection;

/// <summary>Sinks registered twice, no sink at all, an unwritable file: each found at start-up, not in the records.</summary>
public class LlmCostTrackingBuilderTests
{
    private static string TempPath() => Path.Combine(Path.GetTempPath(), "llmcost-tests", $"{Guid.NewGuid():N}.jsonl");

    [Fact]
    public async Task AddJsonLinesSink_SamePathTwice_WritesEachRecordOnce()
    {
        var path = TempPath();
        var services = new ServiceCollection();

        // The quick start and the Microsoft.Extensions.AI section of the README each register the file.
        services.AddLlmCostTracking().AddJsonLinesSink(path);
        services.AddLlmCostTracking().AddJsonLinesSink(Path.Combine(Path.GetDirectoryName(path)!, ".", Path.GetFileName(path)));
        await using (var sp = services.BuildServiceProvider())
        {
            var tracker = sp.GetRequiredService<ILlmCostTracker>();
            tracker.Track(TestRecords.Create());
            await tracker.FlushAsync();
            Assert.Single(sp.GetServices<ICostSink>());
        }

        Assert.Single(await File.ReadAllLinesAsync(path));
        File.Delete(path);
    }

    [Fact]
    public async Task AddJsonLinesSink_TwoPaths_AreTwoSinks()
    {
        var first = TempPath();
        var second = TempPath();
        var services = new ServiceCollection();
        services.AddLlmCostTracking().AddJsonLinesSink(first).AddJsonLinesSink(second);
        await using (var sp = services.BuildServiceProvider())
        {
            var tracker = sp.GetRequiredService<ILlmCostTracker>();
            tracker.Track(TestRecords.Create());
            await tracker.FlushAsync();
        }

        Assert.Single(await File.ReadAllLinesAsync(first));
        Assert.Single(await File.ReadAllLinesAsync(second));
        File.Delete(first);
        File.Delete(second);
    }

    [Fact]
    public async Task AddSink_SameInstanceTwiceAndInMemoryTwice_EachSinkGetsEachRecordOnce()
    {
        var sink = new CallbackSink();
        var services = new ServiceCollection();
        services.AddLlmCostTracking().AddSink(sink).AddInMemorySink();
        services.AddLlmCostTracking().AddSink(sink).AddInMemorySink();
        await using var sp = services.BuildServiceProvider();
        var tracker = sp.GetRequiredService<ILlmCostTracker>();

        tracker.Track(TestRecords.Create());
        await tracker.FlushAsync();

        Assert.Equal(2, sp.GetServices<ICostSink>().Count());
        Assert.Single(sink.Records);
        Assert.Single(sp.GetRequiredService<InMemoryCostSink>().Records);
    }

    [Fact]
    public async Task HostStart_JsonLinesLockHeldByAnotherWriter_Starts()
    {
        // Another process writing the same file holds its lock file exclusively for its turn: the path is in use, not broken.
        var path = Path.Combine(Path.GetTempPath(), $"llmcost-locked-{Guid.NewGuid():N}", "llm-costs.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var held = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Services.AddLlmCostTracking().AddJsonLinesSink(path);
            using var host = builder.Build();

            await host.StartAsync();
            await held.DisposeAsync();
            await host.StopAsync();
        }
        finally
        {
            await held.DisposeAsync();
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public async Task HostStart_UnwritableJsonLinesPath_FailsNamingThePath()
    {
        // A folder cannot be created under a file, whatever the user's rights.
        var file = Path.Combine(Path.GetTempPath(), $"llmcost-not-a-folder-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, "x");
        var path = Path.Combine(file, "costs", "llm-costs.jsonl");
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Services.AddLlmCostTracking().AddJsonLinesSink(path);
            using var host = builder.Build();

            var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

            Assert.Contains($"AddJsonLinesSink: the file '{path}' cannot be written", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task HostStart_WritableJsonLinesPath_CreatesTheFolderAndStarts()
    {
        var folder = Path.Combine(Path.GetTempPath(), "llmcost-tests", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(folder, "llm-costs.jsonl");
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLlmCostTracking().AddJsonLinesSink(path);
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();

        Assert.True(Directory.Exists(folder));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Resolve_NoSink_LogsAWarning()
    {
        var logs = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)));
        services.AddLlmCostTracking();
        await using var sp = services.BuildServiceProvider();

        sp.GetRequiredService<ILlmCostTracker>();

        var log = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 150);
        Assert.Equal(LogLevel.Warning, log.Level);
        Assert.Contains("no sink", log.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_WithASink_LogsNoWarning()
    {
        var logs = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)));
        services.AddLlmCostTracking().AddInMemorySink();
        await using var sp = services.BuildServiceProvider();

        sp.GetRequiredService<ILlmCostTracker>();

        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id is 150 or 151);
    }
}
