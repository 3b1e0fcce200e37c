using System.Text.Json;

namespace LlmCost.Sdk;

/// <summary>
/// Builds the price table the options describe: the embedded one or <see cref="LlmCostOptions.PriceTablePath"/>, plus
/// <see cref="LlmCostOptions.Prices"/>.
/// </summary>
/// <remarks>
/// The file at <see cref="LlmCostOptions.PriceTablePath"/> is in the SDK's own format (it has a <c>schemaVersion</c>).
/// A LiteLLM map is converted offline first (<c>tools/LlmCost.Sdk.PriceTools import-litellm</c>), so the runtime
/// package carries no importer. Tables are cached per options instance, so the validator and the container parse a
/// file once.
/// </remarks>
internal static class PriceTableFactory
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<LlmCostOptions, PriceTable> Built = new();

    /// <summary>Builds (once per options instance: the validator and the container share it) the table the options describe.</summary>
    public static PriceTable Create(LlmCostOptions options) =>
        Built.TryGetValue(options, out var table) ? table : Built.GetValue(options, Build);

    private static PriceTable Build(LlmCostOptions options)
    {
        PriceTable table;
        if (options.PriceTablePath is { Length: > 0 } path)
        {
            var bytes = File.ReadAllBytes(path);
            try
            {
                table = Load(bytes);
            }
            catch (PriceTableException ex)
            {
                throw new PriceTableException($"{ex.Message} (in '{path}')", ex);
            }
        }
        else
        {
            table = PriceTable.Default;
        }

        return ApplyOptionPrices(table, options);
    }

    /// <summary>Adds <see cref="LlmCostOptions.Prices"/> to a table, validated like table data.</summary>
    internal static PriceTable ApplyOptionPrices(PriceTable table, LlmCostOptions options)
    {
        if (options.Prices.Count == 0)
        {
            return table;
        }

        var overrides = new List<PriceEntry>(options.Prices.Count);
        for (var i = 0; i < options.Prices.Count; i++)
        {
            var price = options.Prices[i];
            var where = $"LlmCostOptions.Prices[{i}]";
            if (string.IsNullOrWhiteSpace(price.Provider) || string.IsNullOrWhiteSpace(price.Model))
            {
                throw new PriceTableException($"{where}: Provider and Model are required (got '{price.Provider}/{price.Model}').");
            }

            where += $" ('{price.Provider}/{price.Model}')";
            var rates = price.ToRates();
            if (rates.Input < 0 || rates.Output < 0 || rates.CachedInput < 0 || rates.CacheWrite < 0 || rates.CacheWrite1h < 0 || rates.AudioInput < 0 || rates.AudioOutput < 0)
            {
                throw new PriceTableException($"{where}: rates must not be negative.");
            }

            PriceTable.CheckRate(where, nameof(price.Input), rates.Input);
            PriceTable.CheckRate(where, nameof(price.Output), rates.Output);
            PriceTable.CheckRate(where, nameof(price.CachedInput), rates.CachedInput);
            PriceTable.CheckRate(where, nameof(price.CacheWrite), rates.CacheWrite);
            PriceTable.CheckRate(where, nameof(price.CacheWrite1h), rates.CacheWrite1h);
            PriceTable.CheckRate(where, nameof(price.AudioInput), rates.AudioInput);
            PriceTable.CheckRate(where, nameof(price.AudioOutput), rates.AudioOutput);
            var period = new PricePeriod { EffectiveFrom = price.EffectiveFrom, Rates = new TieredPriceRates { Base = rates } };
            // A price override changes what the model costs, not how much it can write: the table's maximum stays.
            overrides.Add(new PriceEntry(price.Provider, price.Model, [.. price.Aliases], [period], source: "LlmCostOptions.Prices")
            {
                MaxOutputTokens = table.Find(price.Provider + "/" + price.Model)?.MaxOutputTokens,
            });
        }

        try
        {
            return table.With(overrides);
        }
        catch (PriceTableException ex)
        {
            throw new PriceTableException($"LlmCostOptions.Prices: {ex.Message}", ex);
        }
    }

    /// <summary>Reads a price-table file in the SDK's format (it has <c>schemaVersion</c>).</summary>
    internal static PriceTable Load(byte[] utf8Json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new PriceTableException($"The price table is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && !root.TryGetProperty("schemaVersion", out _) && !root.TryGetProperty("entries", out _)
                && root.EnumerateObject().Any(p => p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("litellm_provider", out _)))
            {
                throw new PriceTableException("The price table looks like LiteLLM's model_prices_and_context_window.json; convert it first with 'dotnet run --project tools/LlmCost.Sdk.PriceTools -- import-litellm <file> <out.json>' and point PriceTablePath at the result.");
            }

            return PriceTableReader.Read(root);
        }
    }
}
