namespace LlmCost.Sdk.Cli;

/// <summary>Loads price tables for the CLI: a file in the SDK's price-table format, or the embedded table.</summary>
internal static class PriceTables
{
    public const string Embedded = "embedded";

    public static PriceTable Load(string? path, string option)
    {
        if (path is null || path.Equals(Embedded, StringComparison.OrdinalIgnoreCase))
        {
            return PriceTable.Default;
        }

        InputOptions.RequireFile(path, option);
        try
        {
            using var stream = File.OpenRead(path);
            return PriceTable.Load(stream);
        }
        catch (PriceTableException ex)
        {
            throw new CliException(ExitCodes.InputError, $"{option}: '{path}' is not a valid price table: {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new CliException(ExitCodes.InputError, $"{option}: cannot read '{path}': {ex.Message}", ex);
        }
    }
}
