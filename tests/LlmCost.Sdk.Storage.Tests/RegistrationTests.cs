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
}
