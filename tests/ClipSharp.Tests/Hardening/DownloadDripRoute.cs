using System.Text;

namespace ClipSharp.Tests.Hardening;

/// <summary>A <see cref="DownloadTestServer"/> route that trickles: headers with no Content-Length, then one byte
/// each <paramref name="interval"/> until <paramref name="maxBytes"/> are sent, the client leaves or the server
/// stops (bounded in bytes and so in time).</summary>
public static class DownloadDripRoute
{
    public static DownloadTestServer.Route Drip(TimeSpan interval, int maxBytes) => async (stream, stop) =>
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"), stop);
        for (int sent = 0; sent < maxBytes; sent++)
        {
            await stream.WriteAsync("x"u8.ToArray(), stop);
            await stream.FlushAsync(stop);
            await Task.Delay(interval, stop);
        }
    };
}
