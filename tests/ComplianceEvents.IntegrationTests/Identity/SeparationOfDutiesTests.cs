using System.Net;
using System.Net.Http.Json;
using ComplianceEvents.Assessments;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.IntegrationTests.Http;
using ComplianceEvents.IntegrationTests.WriteSide;

namespace ComplianceEvents.IntegrationTests.Identity;

/// <summary>DESIGN 1.2 rule 10 through the real host: ids compare normalised, and nobody named on a proposal reviews it.</summary>
public sealed class SeparationOfDutiesTests(AppFixture app) : WriteSideTest(app)
{
    private const string Cell = $"/cycles/{World.Cycle}/commitments/{World.C19}/assessments/CA";

    private async Task Proposed(HttpClient analyst, object body)
    {
        var evidence = await analyst.PostAsJsonAsync(Cell + "/evidence", World.Evidence("CA", new DateOnly(2024, 7, 12)), ApiJson.Options);
        Assert.Equal(HttpStatusCode.Created, evidence.StatusCode);
        var proposal = await analyst.PostAsync(Cell + "/proposals", JsonContent.Create(body, body.GetType(), options: ApiJson.Options));
        Assert.Equal(HttpStatusCode.Created, proposal.StatusCode);
    }

    [Fact]
    public async Task both_may_not_approve_the_proposal_of_both_and_the_proposer_is_stored_normalised()
    {
        await World.Build();
        await Proposed(App.Client(" both ", Roles.Analyst), World.Proposal("CA", 0, "e1"));
        var count = await App.EventCount();

        var approval = await App.ClientFor("Both", [Roles.LeadAnalyst, Roles.Analyst], $"{World.Cycle}/{World.C19}")
            .PostAsJsonAsync(Cell + "/proposals/p1/approval", new { });
        Assert.Equal(HttpStatusCode.Forbidden, approval.StatusCode);
        Assert.Contains("separation-of-duties", await approval.Content.ReadAsStringAsync());
        Assert.Equal(count, await App.EventCount());
        Assert.Equal("both", (await LoadAssessment()).Proposals.Single().ProposedBy);
    }

    [Fact]
    public async Task a_co_analyst_named_on_the_proposal_may_not_approve_it_even_as_the_commitments_lead()
    {
        await World.Build();
        await Proposed(App.Client(World.Analyst, Roles.Analyst), World.Proposal("CA", 0, "e1") with { CoAnalysts = ["ANALI "] });
        Assert.Equal(["tiantian", "ANALI"], (await LoadAssessment()).Proposals.Single().Analysts);
        var count = await App.EventCount();

        var approval = await App.Client(World.Lead, World.LeadRoles).PostAsJsonAsync(Cell + "/proposals/p1/approval", new { });
        Assert.Equal(HttpStatusCode.Forbidden, approval.StatusCode);
        Assert.Contains("separation-of-duties", await approval.Content.ReadAsStringAsync());
        Assert.Equal(count, await App.EventCount());

        var director = await App.Client(World.Director, World.DirectorRoles).PostAsJsonAsync(Cell + "/proposals/p1/approval", new { });
        Assert.True(director.IsSuccessStatusCode, await director.Content.ReadAsStringAsync());
        Assert.Equal(ProposalStatus.Approved, (await LoadAssessment()).Proposals.Single().Status);
    }
}
