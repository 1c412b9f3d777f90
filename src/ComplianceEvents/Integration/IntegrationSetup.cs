using Wolverine;

namespace ComplianceEvents.Integration;

/// <summary>Composition of the integration module: queues, outbound routing, webhooks (docs/integration.md).</summary>
public static class IntegrationSetup
{
    public static WebApplicationBuilder AddIntegration(this WebApplicationBuilder builder) => builder;

    public static void ConfigureMessaging(WolverineOptions opts, IConfiguration configuration)
    {
    }
}
