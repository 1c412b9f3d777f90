namespace ComplianceEvents.Imports;

/// <summary>Whole-file checks before any command is sent; the handlers' own rules still apply afterwards.</summary>
public static class DatasetChecks
{
    public static IEnumerable<string> Problems(CycleDataset? d)
    {
        if (d is null) { yield return "the file is empty"; yield break; }
        if (d.Format != CycleDataset.FormatName) yield return $"format: expected \"{CycleDataset.FormatName}\", got \"{d.Format}\"";
        if (d.Cycle is null) { yield return "cycle: required"; yield break; }
        var members = (d.Cycle.Members ?? []).Select(m => m.Code).ToHashSet();
        var commitments = d.Commitments ?? [];
        foreach (var dup in commitments.GroupBy(c => c.Id).Where(g => g.Count() > 1))
            yield return $"commitments: id \"{dup.Key}\" appears {dup.Count()} times";
        for (var i = 0; i < commitments.Count; i++)
        {
            var c = commitments[i];
            var at = $"commitments[{i}] ({c.Id})";
            var versions = (c.Rubric ?? []).Select(r => r.Version).OrderBy(v => v).ToList();
            if (!versions.SequenceEqual(Enumerable.Range(1, versions.Count)))
                yield return $"{at}.rubric: versions must be 1, 2, ... without gaps";
            foreach (var r in (c.Rubric ?? []).Where(r => r.Version > 1 && string.IsNullOrWhiteSpace(r.Reason)))
                yield return $"{at}.rubric (version {r.Version}): a revision needs a reason";
            foreach (var na in c.NotApplicable ?? [])
                if (!members.Contains(na.Member)) yield return $"{at}.notApplicable: \"{na.Member}\" is not a member of the cycle";
            var assessments = c.Assessments ?? [];
            for (var j = 0; j < assessments.Count; j++)
            {
                var a = assessments[j];
                var where = $"{at}.assessments[{j}] ({a.Member})";
                if (!members.Contains(a.Member)) yield return $"{where}.member: not a member of the cycle";
                var keys = (a.Evidence ?? []).Select(e => e.Key).ToList();
                foreach (var dup in keys.GroupBy(k => k).Where(g => g.Count() > 1))
                    yield return $"{where}.evidence: key \"{dup.Key}\" appears {dup.Count()} times";
                foreach (var p in a.Proposals ?? [])
                {
                    if (p.Evidence.ValueKind == System.Text.Json.JsonValueKind.Array)
                        foreach (var k in p.Evidence.EnumerateArray().Select(x => x.GetString()).Where(k => !keys.Contains(k!)))
                            yield return $"{where}.proposals: evidence key \"{k}\" is not in this assessment";
                    else if (p.Evidence.ValueKind != System.Text.Json.JsonValueKind.String || p.Evidence.GetString() != "all")
                        yield return $"{where}.proposals: evidence must be \"all\" or a list of keys";
                    if (p.Review is { Action: not ("approve" or "return" or "reject") })
                        yield return $"{where}.proposals: review action must be approve, return or reject";
                }
            }
        }
    }
}
