using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmCost.Sdk.Reporting.Tests;

/// <summary>
/// Debian's headless Chromium driven over the DevTools protocol (a WebSocket on loopback): open a page, collect its console
/// messages and exceptions, evaluate script, take a screenshot. No browser download, no driver, no network.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    private readonly Process _process;
    private readonly ClientWebSocket _socket = new();
    private readonly string _profile;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _receiver;
    private int _nextId;
    private string? _session;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>Gets the console messages (type: text), exceptions and log entries the page produced.</summary>
    public ConcurrentQueue<string> ConsoleMessages { get; } = new();

    /// <summary>Gets the path of the Chromium executable, or fails the test (never skips) naming what to install.</summary>
    public static string FindExecutable()
    {
        var configured = Environment.GetEnvironmentVariable("CHROMIUM_PATH");
        var found = configured is { Length: > 0 } ? configured : Candidates.FirstOrDefault(File.Exists);
        if (found is null || !File.Exists(found))
        {
            Assert.Fail("Chromium is not installed, so the HTML report cannot be tested in a browser. Install Debian's package: " +
                "'apt-get update && apt-get install -y chromium' (.ci/run does this), or set CHROMIUM_PATH to a Chromium executable.");
        }

        return found!;
    }

    public static async Task<HeadlessChromium> StartAsync(CancellationToken cancellationToken)
    {
        var executable = FindExecutable();
        var profile = Directory.CreateTempSubdirectory("llmcost-chromium-").FullName;
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars",
            $"--user-data-dir={profile}", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Chromium did not start.");
        var browser = new HeadlessChromium(process, profile);
        try
        {
            // Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID" on standard error.
            string? endpoint = null;
            while (endpoint is null && await process.StandardError.ReadLineAsync(cancellationToken) is { } line)
            {
                const string Marker = "DevTools listening on ";
                var at = line.IndexOf(Marker, StringComparison.Ordinal);
                if (at >= 0)
                {
                    endpoint = line[(at + Marker.Length)..].Trim();
                }
            }

            if (endpoint is null)
            {
                throw new InvalidOperationException($"Chromium exited (code {(process.HasExited ? process.ExitCode : -1)}) before opening its DevTools endpoint.");
            }

            _ = DrainAsync(process.StandardError);
            _ = DrainAsync(process.StandardOutput);
            await browser._socket.ConnectAsync(new Uri(endpoint), cancellationToken);
            browser._receiver = browser.ReceiveAsync();
            var target = await browser.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, cancellationToken);
            var attached = await browser.SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target.GetProperty("targetId").GetString(), ["flatten"] = true }, cancellationToken);
            browser._session = attached.GetProperty("sessionId").GetString();
            await browser.SendAsync("Runtime.enable", null, cancellationToken);
            await browser.SendAsync("Log.enable", null, cancellationToken);
            await browser.SendAsync("Page.enable", null, cancellationToken);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens a page at a given viewport size and waits until that page (not the blank one before it) has loaded.</summary>
    public async Task OpenAsync(string path, int width, int height, CancellationToken cancellationToken)
    {
        var url = new Uri(path).AbsoluteUri;
        await SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false }, cancellationToken);
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url }, cancellationToken);

        // Each check is a round trip to the page; the test's cancellation bounds the wait.
        var check = $"document.readyState === 'complete' && location.href === {JsonSerializer.Serialize(url)}";
        while (!(await EvaluateAsync(check, cancellationToken)).GetBoolean())
        {
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Evaluates a script expression in the page and returns its JSON value.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression, CancellationToken cancellationToken)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true }, cancellationToken);
        if (result.TryGetProperty("exceptionDetails", out var exception))
        {
            throw new InvalidOperationException("The expression threw: " + exception.GetRawText());
        }

        return result.GetProperty("result").GetProperty("value").Clone();
    }

    /// <summary>Takes a PNG screenshot of the whole page.</summary>
    public async Task<byte[]> ScreenshotAsync(CancellationToken cancellationToken)
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true }, cancellationToken);
        return Convert.FromBase64String(result.GetProperty("data").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await SendRawAsync(new JsonObject { ["id"] = Interlocked.Increment(ref _nextId), ["method"] = "Browser.close" }, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The browser is killed below either way.
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        _socket.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // A crash dump or lock file still held by a dying child process: the temp directory is cleaned by the OS.
        }
    }

    private async Task<JsonElement> SendAsync(string method, JsonObject? parameters, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        if (_session is not null && !method.StartsWith("Target.", StringComparison.Ordinal))
        {
            message["sessionId"] = _session;
        }

        await SendRawAsync(message, cancellationToken);
        return await reply.Task.WaitAsync(cancellationToken);
    }

    private Task SendRawAsync(JsonObject message, CancellationToken cancellationToken) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                using var document = JsonDocument.Parse(message.ToArray());
                message.SetLength(0);
                Dispatch(document.RootElement);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Closing.
        }
        finally
        {
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(new InvalidOperationException("Chromium closed the DevTools connection."));
            }
        }
    }

    private void Dispatch(JsonElement message)
    {
        if (message.TryGetProperty("id", out var id) && _pending.TryRemove(id.GetInt32(), out var reply))
        {
            if (message.TryGetProperty("error", out var error))
            {
                reply.TrySetException(new InvalidOperationException("DevTools error: " + error.GetRawText()));
            }
            else
            {
                reply.TrySetResult(message.GetProperty("result").Clone());
            }

            return;
        }

        if (!message.TryGetProperty("method", out var method))
        {
            return;
        }

        var parameters = message.TryGetProperty("params", out var p) ? p : default;
        switch (method.GetString())
        {
            case "Runtime.consoleAPICalled":
                ConsoleMessages.Enqueue($"console.{parameters.GetProperty("type").GetString()}: {parameters.GetProperty("args").GetRawText()}");
                break;
            case "Runtime.exceptionThrown":
                ConsoleMessages.Enqueue("exception: " + parameters.GetProperty("exceptionDetails").GetRawText());
                break;
            case "Log.entryAdded":
                var entry = parameters.GetProperty("entry");
                ConsoleMessages.Enqueue($"log.{entry.GetProperty("level").GetString()}: {entry.GetProperty("text").GetString()} {(entry.TryGetProperty("url", out var url) ? url.GetString() : string.Empty)}");
                break;
        }
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        var buffer = new char[4096];
        while (await reader.ReadAsync(buffer) > 0)
        {
        }
    }
}
