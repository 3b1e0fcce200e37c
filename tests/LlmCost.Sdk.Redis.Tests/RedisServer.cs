using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace LlmCost.Sdk.Redis.Tests;

/// <summary>
/// A real redis-server for the tests: the one <c>.ci/run</c> started (<c>LLMCOST_TEST_REDIS</c>, host:port), or one this
/// test starts from <c>/usr/bin/redis-server</c> on a free loopback port with a temporary directory. Without either the
/// test fails with a message saying how to get one: these tests are never skipped.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    public const string EnvironmentVariable = "LLMCOST_TEST_REDIS";
    private const string ServerPath = "/usr/bin/redis-server";

    private readonly string? _directory;
    private Process? _process;

    private RedisServer(string endpoint, int port, string? directory)
    {
        Endpoint = endpoint;
        Port = port;
        _directory = directory;
    }

    /// <summary>Gets the host:port to connect to.</summary>
    public string Endpoint { get; }

    public int Port { get; }

    /// <summary>The shared server when <c>.ci/run</c> started one, else a server of this test's own.</summary>
    public static async Task<RedisServer> GetAsync()
    {
        var shared = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(shared))
        {
            var server = new RedisServer(shared, 0, null);
            await server.WaitReadyAsync();
            return server;
        }

        return await StartOwnAsync();
    }

    /// <summary>Starts a server of this test's own (one it can stop and start again).</summary>
    public static async Task<RedisServer> StartOwnAsync()
    {
        Assert.True(
            File.Exists(ServerPath),
            $"These tests need a real Redis: set {EnvironmentVariable}=host:port (.ci/run does), or install the Debian package redis-server ({ServerPath}).");
        var directory = Directory.CreateTempSubdirectory("llmcost-redis-").FullName;
        var server = new RedisServer("127.0.0.1:" + FreePort(), 0, directory);
        server = new RedisServer(server.Endpoint, int.Parse(server.Endpoint.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture), directory);
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        _process = Process.Start(new ProcessStartInfo(ServerPath)
        {
            ArgumentList = { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory!, "--save", string.Empty, "--appendonly", "no", "--daemonize", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitReadyAsync();
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        // Wait until the port refuses connections, so the store sees the outage.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (CanConnect())
        {
            await Task.Delay(20, cts.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_directory is not null)
        {
            await StopAsync();
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>Waits (up to 10 s) until the server answers PING.</summary>
    private async Task WaitReadyAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync(Endpoint + ",connectTimeout=500,abortConnect=true");
                await connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (!cts.IsCancellationRequested)
            {
                await Task.Delay(20, cts.Token);
            }
        }
    }

    private bool CanConnect()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
