using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.AmendingEvidence;
using ComplianceEvents.Assessments.WithdrawingEvidence;
using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.IntegrationTests.WriteSide;

public sealed class EvidenceTests(AppFixture app) : WriteSideTest(app)
{
    [Fact]
    public async Task recording_evidence_opens_the_assessment_stream_and_keeps_the_citation()
    {
        await World.Build();
        var result = await World.Expect(World.AsAnalyst(World.Evidence("CA", new DateOnly(2024, 7, 12), Strength.Strong, "prevent", "counter")));
        Assert.Equal("e1", result.ResourceId);
        Assert.Empty(result.Flags);

        var events = await Stream(Assessment.StreamKey(World.Cycle, World.C19, "CA"));
        Assert.IsType<AssessmentOpened>(events[0].Data);
        var recorded = Assert.IsType<EvidenceRecorded>(events[1].Data);
        Assert.Equal(World.Cbcf, Assert.Single(recorded.Citations));
        Assert.All(events, e => Assert.Equal(World.Analyst, e.Headers?["user-id"]?.ToString()));

        var cell = await LoadAssessment();
        Assert.Equal(2, cell.Version);
        Assert.Equal(["prevent", "counter"], Assert.Single(cell.Evidence).Dimensions);
    }

    [Fact]
    public async Task evidence_outside_the_window_is_recorded_and_flagged_never_dropped()
    {
        await World.Build();
        // The 2024 seed cites an EU action of 13 June 2024, before the 15 June start (DESIGN 1.2 rule 1).
        var result = await World.Expect(World.AsAnalyst(World.Evidence("EU", new DateOnly(2024, 6, 13), Strength.Strong, "counter")));
        Assert.Contains(result.Flags, f => f.StartsWith("outside-window:interim"));
        var item = Assert.Single((await LoadAssessment("EU")).Evidence);
        Assert.Contains(item.Flags, f => f.StartsWith("outside-window:interim"));
    }

    [Fact]
    public async Task an_access_date_before_the_publication_date_is_flagged()
    {
        await World.Build();
        var suspect = World.Cbcf with { Published = "2024-10", Accessed = new DateOnly(2024, 9, 20) };
        var result = await World.Expect(World.AsAnalyst(World.Evidence("CA", new DateOnly(2024, 7, 12)) with { Citations = [World.Cbcf, suspect] }));
        Assert.Contains(result.Flags, f => f.StartsWith("access-before-publication:citation-2"));
    }

    [Fact]
    public async Task evidence_whose_footnote_was_lost_is_accepted_and_flagged()
    {
        await World.Build();
        var noCitation = await World.Expect(World.AsAnalyst(World.Evidence("US", new DateOnly(2024, 11, 26)) with { Citations = [] }));
        Assert.Contains("no-citation", noCitation.Flags);
        var noAccess = await World.Expect(World.AsAnalyst(World.Evidence("UK", new DateOnly(2024, 7, 24)) with { Citations = [World.Cbcf with { Accessed = null }] }));
        Assert.Contains("no-access-date:citation-1", noAccess.Flags);
    }

    [Fact]
    public async Task bad_evidence_is_refused_precisely_and_appends_nothing()
    {
        await World.Build();
        var ok = World.Evidence("CA", new DateOnly(2024, 7, 12), Strength.Strong, "prevent");
        var invalid = await Refused(() => World.AsAnalyst(ok with { Summary = "", Citations = [World.Cbcf with { Published = "12 July 2024" }] }), Outcome.Invalid, "validation");
        Assert.Contains(invalid.Errors, e => e.Field == "summary");
        // The input contract names the rule, as over HTTP (docs/api.md); the validator's own rule for that field is not repeated.
        Assert.Contains(invalid.Errors, e => e.Field == "citations[0].published" && e.Rule == "pattern");
        var badUrl = await Refused(() => World.AsAnalyst(ok with { Citations = [World.Cbcf with { Url = "not a url" }] }), Outcome.Invalid, "validation");
        Assert.Contains(badUrl.Errors, e => e.Field == "citations[0].url");
        await Refused(() => World.AsAnalyst(ok with { Dimensions = ["prevent", "teleport"] }), Outcome.Rejected, "unknown-dimension");
        await Refused(() => World.AsAnalyst(ok with { MemberCode = "RU" }), Outcome.NotFound, "member-not-in-cycle");
        await Refused(() => World.AsAnalyst(ok with { CommitmentId = "99" }), Outcome.NotFound, "commitment-not-found");
        await Refused(() => App.Send(ok, "victor", [Roles.Viewer]), Outcome.Forbidden, "role-required");
        await World.Expect(World.AsAnalyst(ok with { EvidenceId = "cbcf" }));
        await Refused(() => World.AsAnalyst(ok with { EvidenceId = "cbcf" }), Outcome.Conflict, "evidence-exists");
    }

    [Fact]
    public async Task evidence_is_amended_and_withdrawn_with_reasons_and_never_deleted()
    {
        await World.Build();
        await World.Expect(World.AsAnalyst(World.Evidence("CA", new DateOnly(2024, 7, 12), Strength.Weak, "prevent")));
        var amend = new AmendEvidence(World.Cycle, World.C19, "CA", "e1", new DateOnly(2024, 7, 12), "On 12 July 2024, Canada and the US met.",
            [World.Cbcf], "Strength re-read from the source", ["prevent", "counter"], Strength.Strong);
        await Refused(() => World.AsAnalyst(amend with { Reason = "" }), Outcome.Invalid, "validation");
        await Refused(() => World.AsAnalyst(amend with { EvidenceId = "e9" }), Outcome.NotFound, "evidence-not-found");
        await World.Expect(World.AsAnalyst(amend));
        var item = Assert.Single((await LoadAssessment()).Evidence);
        Assert.Equal((2, Strength.Strong), (item.Revision, item.Strength));

        var withdraw = new WithdrawEvidence(World.Cycle, World.C19, "CA", "e1", "Duplicate of another item");
        await Refused(() => World.AsAnalyst(withdraw with { Reason = " " }), Outcome.Invalid, "validation");
        await World.Expect(World.AsAnalyst(withdraw));
        await Refused(() => World.AsAnalyst(withdraw), Outcome.Conflict, "evidence-withdrawn");
        await Refused(() => World.AsAnalyst(amend), Outcome.Conflict, "evidence-withdrawn");

        var events = await Stream(Assessment.StreamKey(World.Cycle, World.C19, "CA"));
        Assert.Equal(["assessment_opened", "evidence_recorded", "evidence_amended", "evidence_withdrawn"], events.Select(e => e.EventTypeName));
        Assert.True(Assert.Single((await LoadAssessment()).Evidence).Withdrawn);
    }
}
