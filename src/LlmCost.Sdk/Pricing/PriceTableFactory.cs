namespace LlmCost.Sdk;

/// <summary>Builds the price table the options describe: the embedded one or <see cref="LlmCostOptions.PriceTablePath"/>, plus <see cref="LlmCostOptions.Prices"/>.</summary>
internal static class PriceTableFactory
{
    public static PriceTable Create(LlmCostOptions options)
    {
        PriceTable table;
        if (options.PriceTablePath is { Length: > 0 } path)
        {
            using var stream = File.OpenRead(path);
            try
            {
                table = PriceTable.Load(stream);
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
}
