using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>A real HTTP receiver on loopback (Kestrel), recording every POST to /hook; it can be stopped and restarted on its port.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Request(IReadOnlyDictionary<string, string> Headers, string Body)
    {
        public string Header(string name) => Headers.TryGetValue(name, out var v) ? v : throw new Xunit.Sdk.XunitException($"no {name} header");
    }

    private WebApplication? _app;
    public ConcurrentQueue<Request> Requests { get; } = new();
    public int Port { get; private set; }
    public string Url => $"http://127.0.0.1:{Port}/hook";

    public static async Task<WebhookReceiver> Start()
    {
        var receiver = new WebhookReceiver();
        await receiver.Up();
        return receiver;
    }

    /// <summary>Starts listening: on a free port the first time, on the same port after <see cref="Down"/>.</summary>
    public async Task Up()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, Port));
        _app = builder.Build();
        _app.MapPost("/hook", async (HttpContext http) =>
        {
            var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
            Requests.Enqueue(new Request(http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
            return Results.Ok();
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        Port = new Uri(address).Port;
    }

    /// <summary>Stops listening: connections to the port are refused.</summary>
    public async Task Down()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public ValueTask DisposeAsync() => new(Down());
}
