using LlmCost.Sdk.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

var interactive = !Console.IsErrorRedirected && !Console.IsOutputRedirected;
return await CliApp.RunAsync(args, Console.Out, Console.Error, interactive, TimeProvider.System, cancellation.Token).ConfigureAwait(false);
