using Wolverine;
using Wolverine.ErrorHandling;

namespace ComplianceEvents.Infrastructure;

public static class Messaging
{
    public static void Configure(WolverineOptions opts)
    {
        opts.UseRuntimeCompilation();
        opts.ApplicationAssembly = typeof(Messaging).Assembly;
        opts.Durability.Mode = DurabilityMode.Solo;
        // A message handled while the database is away (docs/api.md "Outages") is neither dead-lettered nor lost: tried again
        // after 1 and 5 s, then scheduled every 15 and then 30 s until the database answers. Its command id keeps a commit
        // whose outcome was unknown from taking effect twice.
        opts.Policies.OnException(e => HttpErrors.DatabaseUnavailable(e) || e is CommitOutcomeUnknownException, "database unavailable")
            .RetryWithCooldown(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5))
            .Then.ScheduleRetryIndefinitely(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30));
    }
}
