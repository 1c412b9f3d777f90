using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// Logs: Logging__Format=json writes structured JSON with scopes, so every line of a request or a
/// message carries its trace and correlation ids. Traces and metrics of HTTP, commands and messages
/// (Wolverine), the event store (Marten) and PostgreSQL (Npgsql) go to an exporter chosen by
/// Telemetry__Exporter: none (default), console or otlp (Telemetry__Endpoint, default http://localhost:4317).
/// </summary>
public static class Telemetry
{
    public static WebApplicationBuilder AddComplianceTelemetry(this WebApplicationBuilder builder)
    {
        if (string.Equals(builder.Configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);

        var exporter = (builder.Configuration["Telemetry:Exporter"] ?? "none").ToLowerInvariant();
        if (exporter == "none") return builder;
        if (exporter is not ("console" or "otlp"))
            throw new InvalidOperationException($"Telemetry:Exporter is none, console or otlp, not '{exporter}'.");
        var endpoint = new Uri(builder.Configuration["Telemetry:Endpoint"] ?? "http://localhost:4317");

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("ComplianceEvents"))
            .WithTracing(t =>
            {
                t.AddAspNetCoreInstrumentation().AddSource("Wolverine", "Marten", "Npgsql");
                if (exporter == "otlp") t.AddOtlpExporter(o => o.Endpoint = endpoint); else t.AddConsoleExporter();
            })
            .WithMetrics(m =>
            {
                m.AddAspNetCoreInstrumentation().AddMeter("Wolverine*", "Marten", "Npgsql");
                if (exporter == "otlp") m.AddOtlpExporter(o => o.Endpoint = endpoint); else m.AddConsoleExporter();
            });
        return builder;
    }
}
