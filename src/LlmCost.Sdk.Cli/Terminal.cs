using Spectre.Console;

namespace LlmCost.Sdk.Cli;

/// <summary>Where a command writes: standard output (results), standard error (progress, warnings, errors).</summary>
internal sealed class Terminal
{
    public Terminal(TextWriter output, TextWriter error, bool interactive)
    {
        Output = output;
        Error = error;
        Interactive = interactive;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive)
        {
            Console.Profile.Width = 160;
        }

        ErrorConsole = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(error),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
    }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    /// <summary>Gets a value indicating whether a person watches standard error (progress is shown only then).</summary>
    public bool Interactive { get; }

    public IAnsiConsole Console { get; }

    public IAnsiConsole ErrorConsole { get; }

    public void Warn(string message) => Error.WriteLine("warning: " + message);

    /// <summary>Runs work with a progress bar on standard error when someone is watching; silently otherwise.</summary>
    public async Task<T> WithProgressAsync<T>(string description, long? total, Func<IProgress<long>?, Task<T>> work)
    {
        if (!Interactive)
        {
            return await work(null).ConfigureAwait(false);
        }

        return await ErrorConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: total is > 0 ? total.Value : 1);
                task.IsIndeterminate = total is not > 0;
                var progress = new Progress<long>(value => task.Value = value);
                var result = await work(progress).ConfigureAwait(false);
                task.Value = task.MaxValue;
                return result;
            }).ConfigureAwait(false);
    }
}
