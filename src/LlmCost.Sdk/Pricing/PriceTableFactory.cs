using System.Text.Json;

namespace LlmCost.Sdk;

/// <summary>
/// Builds the price table the options describe: the embedded one or <see cref="LlmCostOptions.PriceTablePath"/>, plus
/// <see cref="LlmCostOptions.Prices"/>.
/// </summary>
/// <remarks>
/// The file at <see cref="LlmCostOptions.PriceTablePath"/> is either in the SDK's own format (it has a
/// <c>schemaVersion</c>) or LiteLLM's <c>model_prices_and_context_window.json</c>, read by
/// <see cref="LiteLlmPriceImporter"/> with its default version (<c>litellm-</c> and the file's SHA-256 prefix).
/// </remarks>
internal static class PriceTableFactory
{
    public static PriceTable Create(LlmCostOptions options)
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
            if (price.Input < 0 || price.Output < 0 || price.CachedInput < 0 || price.CacheWrite < 0 || price.CacheWrite1h < 0)
            {
                throw new PriceTableException($"{where}: rates must not be negative.");
            }

            var period = new PricePeriod
            {
                EffectiveFrom = price.EffectiveFrom,
                Input = price.Input,
                CachedInput = price.CachedInput,
                CacheWrite = price.CacheWrite,
                CacheWrite1h = price.CacheWrite1h,
                Output = price.Output,
            };
            overrides.Add(new PriceEntry(price.Provider, price.Model, [.. price.Aliases], [period], source: "LlmCostOptions.Prices"));
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

    /// <summary>Reads a price-table file in the SDK's format (it has <c>schemaVersion</c>) or LiteLLM's.</summary>
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
            // The SDK's format names its schema (and has 'entries'); LiteLLM's is an object keyed by model.
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty("schemaVersion", out _) || root.TryGetProperty("entries", out _))
            {
                return PriceTableReader.Read(root);
            }

            var table = LiteLlmPriceImporter.Read(root, LiteLlmPriceImporter.DefaultVersion(utf8Json), onSkipped: null);
            return table.Entries.Count > 0 ? table
                : throw new PriceTableException("The price table has no 'schemaVersion', and as a LiteLLM price map it has no chat, completion, responses or embedding entry of a provider this SDK tracks.");
        }
    }
}
