using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Reports;
using ComplianceEvents.Reports.Rendering;

namespace ComplianceEvents.Tests.Reports;

/// <summary>A hand-built report model: the renderer tests' input, also opened in Chromium by the integration tier (linked there).</summary>
public static class SampleReport
{
    private static readonly Member Canada = new("CA", "Canada");
    private static readonly Member Uk = new("UK", "United Kingdom");
    private static readonly Member Eu = new("EU", "European Union");

    public static ReportModel Model()
    {
        var nd = new Citation("Counter", "Merriam-Webster", "Springfield", null, new DateOnly(2024, 9, 12),
            "https://www.merriam-webster.com/dictionary/counter");
        var translated = new Citation("Illegal immigration: 2 arrests in Terni", "Polizia di Stato", "Rome", "2024-08-06",
            new DateOnly(2025, 3, 6),
            "https://www.poliziadistato.it/articolo/153", "Translation provided by Google Translate.");
        var forum = new Citation("The 2024 U.S.\u2014Canada Cross Border Crime Forum", "Public Safety Canada", null, "2024-07", null,
            "https://www.canada.ca/en/public-safety-canada/news/2024/07/cbcf.html");
        EvidenceItem Item(string id, int day, string summary, params Citation[] citations) =>
            new(id, new DateOnly(2024, 7, day), summary, ["prevent"], Strength.Strong, citations, []);
        var cells = new[]
        {
            new MemberSection(Canada, 0, false, null, "Canada has partially complied.\n\nIt has not dismantled networks.",
                ["TianTian Dong"], 1,
                [Item("e1", 12, "On 12 July 2024, ministers met at the forum (fewer than <5 days> before & after).", forum, nd),
                 Item("e2", 18, "On 18 July 2024, Canada amended its Criminal Code.", translated)], 2),
            new MemberSection(Uk, 1, false, null, "The UK has fully complied.", ["A. Analyst", "B. Analyst"], 1, [], 0),
            new MemberSection(Eu, null, true, "The commitment addresses national governments only.", null, [], null, [], 0),
        };
        var commitment = new CommitmentSection(19, "migration-smuggling", "Migration and Refugees",
            "Preventing Migrant Smuggling and Trafficking",
            "We will also strengthen our actions to prevent, counter, and dismantle organized criminal networks.",
                "G7 Apulia Leaders' Communiqu\u00e9",
            ["Both human trafficking and the smuggling of migrants have been consistently addressed."],
                ["The commitment has four dimensions."],
            [new Dimension("prevent", "Prevent", "action before smuggling occurs"), new Dimension("counter", "Counter")],
            [new Definition("Counter", "to act in opposition to", nd)], ["Full compliance requires strong action in all four dimensions."],
            new Rubric(1, "No action.", "Strong action in one to three dimensions.", "Strong action in all four dimensions.", []),
            "Anali Arambula Galindo", "Michal Gromek", cells);
        return new ReportModel("2024-apulia", "2024 G7 Apulia Summit", "Apulia", "Italy", new DateOnly(2024, 6, 13), new DateOnly(2024, 6,
            15),
            "Jacob Rudolph and Angus MacKellar", ReportKind.Interim, new ReportWindow(ReportKind.Interim, new DateOnly(2024, 6, 15),
                new DateOnly(2024, 12, 20)),
            2, "Canada's score was corrected", [Canada, Uk, Eu], [commitment]);
    }
}
