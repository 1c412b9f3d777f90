using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using Marten;

namespace ComplianceEvents.IntegrationTests.WriteSide;

public abstract class WriteSideTest(AppFixture app) : HostTest(app)
{
    protected World World { get; } = new(app);

    /// <summary>The command is refused with the expected outcome and rule, and appends nothing.</summary>
    protected async Task<CommandResult> Refused(Func<Task<CommandResult>> send, Outcome outcome, string rule)
    {
        var before = await App.EventCount();
        var result = await send();
        Assert.Equal(outcome, result.Outcome);
        Assert.Equal(rule, result.Rule);
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
        Assert.Equal(before, await App.EventCount());
        return result;
    }

    protected async Task<T> Load<T>(string id) where T : class
    {
        await using var session = App.Store.QuerySession();
        return await session.LoadAsync<T>(id) ?? throw new Xunit.Sdk.XunitException($"{typeof(T).Name} {id} not found");
    }

    protected Task<Cycle> LoadCycle() => Load<Cycle>(Cycle.StreamKey(World.Cycle));
    protected Task<Commitment> LoadCommitment() => Load<Commitment>(Commitment.StreamKey(World.Cycle, World.C19));
    protected Task<Assessment> LoadAssessment(string member = "CA") => Load<Assessment>(Assessment.StreamKey(World.Cycle, World.C19, member));

    protected async Task<IReadOnlyList<JasperFx.Events.IEvent>> Stream(string key)
    {
        await using var session = App.Store.QuerySession();
        return await session.Events.FetchStreamAsync(key);
    }
}
