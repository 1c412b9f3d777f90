using Wolverine;

namespace ComplianceEvents.Infrastructure;

public static class Messaging
{
    public static void Configure(WolverineOptions opts)
    {
        opts.UseRuntimeCompilation();
        opts.ApplicationAssembly = typeof(Messaging).Assembly;
        opts.Durability.Mode = DurabilityMode.Solo;
    }
}
