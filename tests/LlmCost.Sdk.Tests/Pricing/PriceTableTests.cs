namespace LlmCost.Sdk.Tests.Pricing;

public class PriceTableTests
{
    [Fact]
    public void Default_EmbeddedTable_LoadsWithVersionAndEntries()
    {
        var table = PriceTable.Default;

        Assert.Equal(PriceTable.SupportedSchemaVersion, table.SchemaVersion);
        Assert.Equal("2026.11.6", table.Version);
        Assert.Equal("USD", table.Currency);
        Assert.Contains(table.Entries, e => e.Id == "openai/gpt-4o");
        Assert.Contains(table.Entries, e => e.Id == "anthropic/claude-sonnet-4-5");
        Assert.All(table.Entries, e => Assert.False(string.IsNullOrEmpty(e.Source)));
    }

    [Theory]
    [InlineData("openai", "gpt-4o", "openai/gpt-4o")]
    [InlineData("openai", "GPT-4o", "openai/gpt-4o")]
    [InlineData("openai", "gpt-4o-2024-08-06", "openai/gpt-4o")]
    [InlineData("openai", "gpt-4o-2030-01-01", "openai/gpt-4o")] // a future snapshot is priced like its model
    [InlineData("openai", "gpt-4o-2024-05-13", "openai/gpt-4o-2024-05-13")] // a snapshot with its own price stays apart
    [InlineData("openai", "gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini")]
    [InlineData("anthropic", "claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4-5")]
    [InlineData("anthropic", "claude-3-5-haiku-latest", "anthropic/claude-3-5-haiku")]
    public void TryGetEntry_ModelIdsAsResponsesReportThem_FindTheEntry(string provider, string model, string expected)
    {
        Assert.True(PriceTable.Default.TryGetEntry(provider, model, out var entry));
        Assert.Equal(expected, entry.Id);
    }

    [Theory]
    [InlineData("openai", "my-finetune")]
    [InlineData("anthropic", "gpt-4o")]
    [InlineData("openai", "")]
    [InlineData("openai", null)]
    public void TryGetEntry_UnknownModel_ReturnsFalse(string provider, string? model)
    {
        Assert.False(PriceTable.Default.TryGetEntry(provider, model, out _));
    }

    [Fact]
    public void PeriodAt_PriceChangedOverTime_UsesThePeriodInForceThatDay()
    {
        Assert.True(PriceTable.Default.TryGetEntry("openai", "o3", out var o3));

        Assert.Equal(10.00m, o3.PeriodAt(new DateOnly(2025, 5, 1)).Rates.Base.Input);
        Assert.Equal(2.00m, o3.PeriodAt(new DateOnly(2025, 6, 10)).Rates.Base.Input);
        Assert.Equal(2.00m, o3.PeriodAt(new DateOnly(2026, 11, 23)).Rates.Base.Input);
        Assert.Equal(10.00m, o3.PeriodAt(new DateOnly(2020, 1, 1)).Rates.Base.Input); // before the first period: the first one
    }

    [Theory]
    [InlineData("""{"schemaVersion":4,"version":"x","entries":[]}""", "schemaVersion 4")]
    [InlineData("""{"schemaVersion":1,"entries":[]}""", "'version'")]
    [InlineData("""{"schemaVersion":1,"version":"x","entries":[{"provider":"openai","model":"m","periods":[]}]}""", "'openai/m': it has no price periods")]
    [InlineData("""{"schemaVersion":1,"version":"x","entries":[{"provider":"openai","model":"m","periods":[{"effectiveFrom":"2025-01-01","input":-1,"output":2}]}]}""", "'openai/m', period from 2025-01-01: 'input' is negative")]
    [InlineData("""{"schemaVersion":1,"version":"x","entries":[{"provider":"openai","model":"m","periods":[{"effectiveFrom":"2025-01-01","input":"1","output":2}]}]}""", "'openai/m', period from 2025-01-01: 'input' must be a number")]
    [InlineData("""{"schemaVersion":1,"version":"x","entries":[{"provider":"openai","model":"m","periods":[{"effectiveFrom":"01/02/2025","input":1,"output":2}]}]}""", "'openai/m': 'effectiveFrom' must be a date")]
    [InlineData("""{"schemaVersion":1,"version":"x","entries":[{"provider":"openai","model":"m","periods":[{"effectiveFrom":"2025-02-01","input":1,"output":2},{"effectiveFrom":"2025-01-01","input":1,"output":2}]}]}""", "increasing order")]
    [InlineData("""{"schemaVersion":1,"version":"x","entries":[{"provider":"openai","model":"a","periods":[{"effectiveFrom":"2025-01-01","input":1,"output":2}]},{"provider":"openai","model":"b","aliases":["a"],"periods":[{"effectiveFrom":"2025-01-01","input":1,"output":2}]}]}""", "'openai/b': model id 'a' is already claimed by entry 'openai/a'")]
    [InlineData("""{"schemaVersion":1,"version":"x","entries":[{"provider":"openai","periods":[]}]}""", "entry #0: 'model' is required")]
    [InlineData("""{ not json""", "not valid JSON")]
    public void Parse_InvalidData_ThrowsNamingTheEntry(string json, string expected)
    {
        var ex = Assert.Throws<PriceTableException>(() => PriceTable.Parse(json));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_OverrideOfAnAlias_TakesThatIdFromTheOldEntry()
    {
        var custom = new PriceEntry("openai", "gpt-4o-2024-08-06", [], [new PricePeriod { Rates = new TieredPriceRates { Base = new PriceRates { Input = 1m, Output = 2m } } }]);

        var table = PriceTable.Default.With([custom]);

        Assert.True(table.TryGetEntry("openai", "gpt-4o-2024-08-06", out var overridden));
        Assert.Same(custom, overridden);
        Assert.True(table.TryGetEntry("openai", "gpt-4o", out var original));
        Assert.Equal("openai/gpt-4o", original.Id);
        Assert.Equal("2026.11.6+custom", table.Version);
    }
}
