using System.Net;
using System.Net.Http.Json;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Commitments;
using ComplianceEvents.Commitments.ChangingApplicability;
using ComplianceEvents.Commitments.RenumberingCommitment;
using ComplianceEvents.Commitments.RevisingRubric;
using ComplianceEvents.Commitments.SelectingCommitment;
using ComplianceEvents.Cycles;
using ComplianceEvents.Cycles.AmendingCycle;
using ComplianceEvents.Cycles.SettingReportWindow;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.IntegrationTests.Cycles;
using ComplianceEvents.IntegrationTests.WriteSide;

namespace ComplianceEvents.IntegrationTests.Http;

/// <summary>DESIGN 1.2 rule 10 over HTTP: each role x each command is allowed or 403, and a denied call appends nothing.</summary>
public sealed class RoleMatrixTests(AppFixture app) : WriteSideTest(app)
{
    private const string Analyst = "analyst", Lead = "lead", Director = "director", Editor = "editor", Viewer = "viewer";
    private const string C19 = "/cycles/2024-apulia/commitments/19";
    private const string Cell = C19 + "/assessments/CA";

    private HttpClient As(string role) => role switch
    {
        Analyst => App.Client("ann", Roles.Analyst),
        Lead => App.ClientFor("lea", [Roles.LeadAnalyst], "2024-apulia/19"),
        Director => App.Client("dina", Roles.ComplianceDirector),
        Editor => App.Client("ed", Roles.Editor),
        _ => App.Client("vic", Roles.Viewer),
    };

    private static readonly (string Name, HttpMethod Method, string Route, object Body, string[] Allowed)[] Matrix =
    [
        ("open cycle", HttpMethod.Post, "/cycles", OpeningCycleTests.Apulia("2025-kananaskis"), [Director]),
        ("set window", HttpMethod.Put, "/cycles/2024-apulia/windows/final", new SetReportWindow("", ReportKind.Final, new(2024, 6, 15),
            new(2025, 6, 1)), [Director]),
        ("amend cycle", HttpMethod.Post, "/cycles/2024-apulia/amendments",
            new AmendCycle("", "G7 Apulia Summit", "Borgo " +
                "Egnazia", "Italy", new(2024, 6, 13), new(2024, 6, 15), null, "Venue"), [Director]),
        ("select commitment", HttpMethod.Post, "/cycles/2024-apulia/commitments",
            new SelectCommitment("", "20", 20, "Cybersecurity", "Countering Malicious Behaviour", "We will " +
                "...", "Communiqué", "lea"), [Director]),
        ("renumber", HttpMethod.Post, C19 + "/renumbering", new RenumberCommitment("", "", 21, "Renumbered"), [Director]),
        ("mark n/a", HttpMethod.Post, C19 + "/not-applicable/JP", new MarkMemberNotApplicable("", "", "", "Not party"), [Lead, Director]),
        ("revise rubric", HttpMethod.Post, C19 + "/rubrics/revisions", new ReviseRubric("", "", World.Rubric19, "Wording"), [Lead,
            Director]),
        ("record evidence", HttpMethod.Post, Cell + "/evidence", World.Evidence("CA", new DateOnly(2024, 8, 1)), [Analyst, Director]),
        ("propose", HttpMethod.Post, "/cycles/2024-apulia/commitments/19/assessments/DE/proposals", World.Proposal("DE", 0), [Analyst,
            Director]),
        ("approve", HttpMethod.Post, Cell + "/proposals/p1/approval", new { }, [Lead, Director]),
        ("publish report", HttpMethod.Post, "/cycles/2024-apulia/reports/interim/editions", new { }, [Editor, Director]),
    ];

    [Fact]
    public async Task each_role_may_issue_exactly_its_commands_and_denied_calls_append_nothing()
    {
        await World.Build();
        await World.Expect(World.AsAnalyst(World.Evidence("CA", new DateOnly(2024, 7, 12))));
        await World.Expect(World.AsAnalyst(World.Proposal("CA", 0, "e1")));

        var failures = new List<string>();
        foreach (var (name, method, route, body, allowed) in Matrix)
        {
            foreach (var role in new[] { Analyst, Lead, Director, Editor, Viewer }.OrderBy(r => allowed.Contains(r)))
            {
                var before = await App.EventCount();
                var response = await As(role).SendAsync(new HttpRequestMessage(method, route) { Content = JsonContent.Create(body,
                    body.GetType(), options: ApiJson.Options) });
                var status = (int)response.StatusCode;
                if (allowed.Contains(role))
                {
                    if (status is 401 or 403 or >= 500) failures.Add($"{name} as {role}: expected allowed, got {status} " +
                        $"{await response.Content.ReadAsStringAsync()}");
                }
                else
                {
                    if (response.StatusCode != HttpStatusCode.Forbidden) failures.Add($"{name} as {role}: expected 403, got {status}");
                    if (await App.EventCount() != before) failures.Add($"{name} as {role}: a denied call appended events");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
