namespace LlmCost.Sdk.PriceTools;

/// <summary>The command line: <c>generate</c> builds the embedded price table, <c>check</c> compares it with a newer catalog, <c>import-litellm</c> converts a LiteLLM map.</summary>
public static class Program
{
    /// <summary>Runs a command.</summary>
    /// <param name="args">The command and its options.</param>
    /// <returns>The exit code: 0 success, 1 differences found (<c>check</c>), 2 usage or data error.</returns>
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var command = args.Length > 0 ? args[0] : "help";
        var rest = args.Skip(1).ToArray();
        try
        {
            return command switch
            {
                "generate" => PriceTableGenerator.Run(rest, Console.Out),
                "check" => PriceCheck.Check(rest, Console.Out),
                "import-litellm" => ImportLiteLlm(rest),
                _ => Usage(),
            };
        }
        catch (PriceGenerationException ex)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            return 2;
        }
        catch (PriceTableException ex)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            return 2;
        }
    }

    private static int ImportLiteLlm(string[] args)
    {
        if (args.Length < 2)
        {
            return Usage();
        }

        var table = LiteLlmPriceImporter.ImportFile(args[0], onSkipped: static (key, reason) => Console.Error.WriteLine($"skipped {key}: {reason}"));
        File.WriteAllText(args[1], PriceTableJson.Write(table, metadata: null));
        Console.WriteLine($"{table.Entries.Count} entries written to {args[1]} (version {table.Version}).");
        return 0;
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage:
              generate [--genai-prices <snapshot.json>] [--overrides <overrides.json>] [--out <prices.json>] [--verify]
              check --genai-prices <snapshot.json> [--litellm <model_prices_and_context_window.json>] [--table <prices.json>] [--overrides <overrides.json>]
              import-litellm <model_prices_and_context_window.json> <out.json>
            """);
        return 2;
    }
}
