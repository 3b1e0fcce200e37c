using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Storage.Tests;

public sealed class RegistrationTests
{
    [Fact]
    public void AddSqliteSink_RegistersOneSqliteSinkForThePath()
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking().AddSqliteSink("costs/x.db");
        using var provider = services.BuildServiceProvider();

        var sink = Assert.IsType<SqliteCostSink>(Assert.Single(provider.GetServices<ICostSink>()));
        Assert.Equal(Path.GetFullPath("costs/x.db"), sink.Path);
        Assert.False(File.Exists(sink.Path)); // nothing is opened before the first batch
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void AddSqliteSink_NoPath_Throws(string path) =>
        Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddLlmCostTracking().AddSqliteSink(path));

    [Fact]
    public void AddPostgreSqlSink_RegistersAPostgreSqlSinkWithoutConnecting()
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking().AddPostgreSqlSink("Host=192.0.2.1;Port=1;Username=nobody", o => o.MigrateSchema = false);
        using var provider = services.BuildServiceProvider();

        Assert.IsType<PostgreSqlCostSink>(Assert.Single(provider.GetServices<ICostSink>()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Host=localhost;NoSuchKeyword=1")]
    public void AddPostgreSqlSink_EmptyOrMalformedConnectionString_ThrowsAtRegistration(string connectionString) =>
        Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddLlmCostTracking().AddPostgreSqlSink(connectionString));

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(PostgreSqlCostSinkOptions.MaxConnections + 1)]
    public void AddPostgreSqlSink_ConnectionsOutOfRange_ThrowsAtRegistrationAndInTheConstructor(int connections)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new ServiceCollection().AddLlmCostTracking().AddPostgreSqlSink("Host=localhost", o => o.Connections = connections));
        Assert.Equal("Connections", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new PostgreSqlCostSink("Host=localhost", new PostgreSqlCostSinkOptions { Connections = connections }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
    }

    [Fact]
    public void PostgreSqlCostSinkOptions_Defaults_MigrateWithRollupOnOneConnection()
    {
        var options = new PostgreSqlCostSinkOptions();
        Assert.Equal((true, true, 1), (options.MigrateSchema, options.Rollup, options.Connections));
    }

    [Theory]
    [InlineData(512, 2, new[] { 0, 256, 256, 256 })]
    [InlineData(513, 4, new[] { 0, 129, 129, 128, 257, 128, 385, 128 })]
    [InlineData(100, 4, new[] { 0, 100 })]
    [InlineData(130, 4, new[] { 0, 65, 65, 65 })]
    [InlineData(1, 16, new[] { 0, 1 })]
    public void PostgreSqlCostSink_SplitsABatchIntoContiguousPartsOfAtLeast64(int records, int connections, int[] expected)
    {
        var parts = PostgreSqlCostSink.PartCount(records, connections);
        var ranges = Enumerable.Range(0, parts).Select(p => PostgreSqlCostSink.PartRange(records, parts, p)).ToList();

        Assert.Equal(expected, ranges.SelectMany(r => new[] { r.Offset, r.Count }));
        Assert.Equal(records, ranges.Sum(r => r.Count));
    }
}
