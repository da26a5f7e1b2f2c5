using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ClipSharp.Tests.Hardening;

/// <summary>A raw HTTP/1.1 server on 127.0.0.1 for hostile download tests: each path answers with whatever bytes a
/// route writes (a stall, a lying Content-Length, an endless body…). Every loop is bounded in bytes and time, and
/// the server stops when disposed.</summary>
public sealed class DownloadTestServer : IDisposable
{
    public delegate Task Route(Stream client, CancellationToken stop);

    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource stop = new();
    readonly ConcurrentDictionary<string, Route> routes = new();

    /// <summary>The Authorization header of each request, in order ("" when absent), with its path.</summary>
    public ConcurrentQueue<(string Path, string Authorization)> Requests { get; } = new();

    public string BaseUrl { get; }

    public DownloadTestServer()
    {
        listener.Start();
        BaseUrl = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        _ = Task.Run(AcceptAsync);
    }

    public Route this[string path] { set => routes[path] = value; }

    async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => HandleAsync(client));
        }
    }

    async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                string head = await ReadHeadAsync(stream);
                var lines = head.Split("\r\n");
                string path = lines[0].Split(' ') is { Length: >= 2 } parts ? parts[1] : "";
                const string Key = "Authorization:";
                string auth = lines.FirstOrDefault(l => l.StartsWith(Key, StringComparison.OrdinalIgnoreCase))
                    ?[Key.Length..].Trim() ?? "";
                Requests.Enqueue((path, auth));
                var route = routes.TryGetValue(path, out var r) ? r : Status(404);
                await route(stream, stop.Token);
            }
            catch (Exception) { } // the client went away: that is what several tests cause on purpose
        }
    }

    static async Task<string> ReadHeadAsync(Stream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 16384 && await stream.ReadAsync(one) == 1)
        {
            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n') break;
        }
        return Encoding.ASCII.GetString(head.ToArray());
    }

    static Task WriteAsync(Stream stream, string text, CancellationToken stop) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(text), stop).AsTask();

    /// <summary>200 with the body; <paramref name="contentLength"/> overrides the announced length (null: the body's,
    /// -1: none, the body ends with the connection).</summary>
    public static Route Body(byte[] body, long? contentLength = null) => async (stream, stop) =>
    {
        long length = contentLength ?? body.Length;
        await WriteAsync(stream, "HTTP/1.1 200 OK\r\nConnection: close\r\n" +
            (length >= 0 ? $"Content-Length: {length}\r\n" : "") + "\r\n", stop);
        await stream.WriteAsync(body, stop);
        await stream.FlushAsync(stop);
    };

    /// <summary>Headers announcing <paramref name="contentLength"/> bytes and a few bytes of body, then nothing for up
    /// to <paramref name="seconds"/> (or until the client leaves or the server stops).</summary>
    public static Route StallAfterHeaders(int seconds, long contentLength = 1000) => async (stream, stop) =>
    {
        await WriteAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Length: {contentLength}\r\n\r\nabc", stop);
        await stream.FlushAsync(stop);
        await Task.Delay(TimeSpan.FromSeconds(seconds), stop);
    };

    /// <summary>Accepts the request and sends nothing for up to <paramref name="seconds"/>.</summary>
    public static Route Silent(int seconds) => (_, stop) => Task.Delay(TimeSpan.FromSeconds(seconds), stop);

    /// <summary>A chunked body with no announced length that goes on until the client hangs up or
    /// <paramref name="maxBytes"/> have been sent.</summary>
    public static Route Endless(long maxBytes) => async (stream, stop) =>
    {
        await WriteAsync(stream, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", stop);
        var chunk = Encoding.ASCII.GetBytes($"{65536:x}\r\n").Concat(new byte[65536]).Concat("\r\n"u8.ToArray())
            .ToArray();
        for (long sent = 0; sent < maxBytes; sent += 65536) await stream.WriteAsync(chunk, stop);
        await WriteAsync(stream, "0\r\n\r\n", stop);
    };

    public static Route Status(int code, string? location = null) => (stream, stop) =>
        WriteAsync(stream, $"HTTP/1.1 {code} Status{code}\r\nContent-Length: 0\r\nConnection: close\r\n" +
            (location is null ? "" : $"Location: {location}\r\n") + "\r\n", stop);

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        stop.Dispose();
    }
}
