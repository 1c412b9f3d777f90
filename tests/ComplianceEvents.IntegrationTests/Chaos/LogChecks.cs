using System.Text.Json;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Integration.DeliveringWebhooks;
using ComplianceEvents.IntegrationTests.Integration;
using Npgsql;

namespace ComplianceEvents.IntegrationTests.Chaos;

/// <summary>What the log held against what the clients were told (<see cref="Ledger"/>).</summary>
public sealed record LogFigures(int Commands, int Acknowledged, int UnacknowledgedCommitted, int UnacknowledgedAbsent, long Events);

/// <summary>Deliveries of the log's evidence events to a webhook receiver: events, requests, and repeats of a delivery id.</summary>
public sealed record DeliveryFigures(int Expected, int Delivered, int Requests, int Repeats, int Missing);

/// <summary>
/// The scenario's own checks after the chaos, on the log in SQL: every acknowledged command exactly once, every other one all or
/// nothing (all of its events, in one stream at consecutive versions, or none), nothing no client sent, versions without gaps.
/// The invariants every reliability tier shares (chain, projections, verify-log) are checked beside these.
/// </summary>
public static class LogChecks
{
    private sealed record Row(long Sequence, string Stream, long Version, string Type, string? CommandId, string? EvidenceId);

    private const string Recorded = "evidence_recorded", Opened = "assessment_opened";

    public static async Task<LogFigures> AssertEachCommand(string connectionString, Ledger ledger)
    {
        var rows = await Rows(connectionString);
        var failures = new List<string>();
        foreach (var stream in rows.GroupBy(r => r.Stream))
        {
            var versions = stream.Select(r => r.Version).Order().ToList();
            if (!versions.SequenceEqual(Enumerable.Range(1, versions.Count).Select(v => (long)v)))
                failures.Add($"{stream.Key}: versions {string.Join(",", versions.Take(20))} are not 1..{versions.Count}");
            if (stream.Key.StartsWith("assessment:", StringComparison.Ordinal) && stream.MinBy(r => r.Version)!.Type != Opened)
                failures.Add($"{stream.Key}: version 1 is not {Opened}");
        }

        var byKey = rows.Where(r => r.CommandId is not null).ToLookup(r => r.CommandId!);
        int acknowledged = 0, committed = 0, absent = 0;
        foreach (var command in ledger.Sent)
        {
            var mine = byKey[command.Key].OrderBy(r => r.Version).ToList();
            var evidence = mine.Where(r => r.Type == Recorded).ToList();
            if (ledger.IsAcknowledged(command.Key))
            {
                acknowledged++;
                if (evidence.Count != 1 || evidence[0].EvidenceId != command.Key)
                    failures.Add($"acknowledged {command.Key} is in the log {evidence.Count} times");
            }
            else if (mine.Count > 0) committed++;
            else absent++;
            if (mine.Count > 0 && Partial(mine, command) is { } partial) failures.Add($"{command.Key}: {partial}");
        }

        var keys = ledger.Sent.Select(c => c.Key).ToHashSet();
        foreach (var recorded in rows.Where(r => r.Type == Recorded))
            if (recorded.EvidenceId is not { } id || !keys.Contains(id) || recorded.CommandId != id)
                failures.Add($"#{recorded.Sequence}: evidence {recorded.EvidenceId} (command {recorded.CommandId}) was sent by no client");
        foreach (var twice in rows.Where(r => r.Type == Recorded).GroupBy(r => r.EvidenceId).Where(g => g.Count() > 1))
            failures.Add($"evidence {twice.Key} is in the log {twice.Count()} times");

        Assert.True(failures.Count == 0, $"{failures.Count} breaches:\n{string.Join("\n", failures.Take(20))}");
        return new LogFigures(ledger.Sent.Count, acknowledged, committed, absent, rows.Count);
    }

    /// <summary>Null when the command's events are whole: one evidence item, in its stream, at consecutive versions.</summary>
    private static string? Partial(List<Row> mine, ChaosCommand command)
    {
        if (mine.Any(r => r.Stream != command.StreamKey)) return $"events outside {command.StreamKey}";
        if (mine.Count(r => r.Type == Recorded) != 1) return $"{mine.Count(r => r.Type == Recorded)} {Recorded} events";
        if (mine.Any(r => r.Type != Recorded && !(r.Type == Opened && r.Version == 1))) return "an event of another kind";
        return mine.Zip(mine.Skip(1)).Any(p => p.Second.Version != p.First.Version + 1) ? "events at versions with a gap" : null;
    }

    private static async Task<List<Row>> Rows(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select seq_id, stream_id, version, type, headers ->> @header, " +
            "coalesce(data ->> 'evidenceId', data ->> 'EvidenceId') from compliance.mt_events where stream_id <> 'mt_tombstone' " +
            "order by seq_id", conn);
        cmd.Parameters.AddWithValue("header", EventHeaders.CommandId);
        var rows = new List<Row>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(new Row(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        return rows;
    }

    /// <summary>The global sequences of the evidence events in the log: each is published as one EvidenceRecordedV1.</summary>
    public static async Task<HashSet<long>> EvidenceSequences(string connectionString) =>
        (await Rows(connectionString)).Where(r => r.Type == Recorded).Select(r => r.Sequence).ToHashSet();

    /// <summary>
    /// The receiver's requests by the event they carry (its <c>sequence</c>): each expected event must come under one delivery id;
    /// <see cref="DeliveryFigures.Repeats"/> counts requests that repeated a delivery id already received.
    /// </summary>
    public static DeliveryFigures Deliveries(WebhookReceiver receiver, IReadOnlySet<long> expected)
    {
        var requests = receiver.Requests.Where(r => r.Header(WebhookSignature.EventHeader) == "EvidenceRecordedV1").ToList();
        var bySequence = requests.GroupBy(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("sequence").GetInt64())
            .ToDictionary(g => g.Key, g => g.Select(r => r.Header(WebhookSignature.DeliveryHeader)).ToList());
        var twoIds = bySequence.Where(p => p.Value.Distinct().Count() > 1).Select(p => p.Key).ToList();
        Assert.True(twoIds.Count == 0, $"events delivered under two delivery ids: {string.Join(", ", twoIds.Take(10))}");
        var unexpected = bySequence.Keys.Where(s => !expected.Contains(s)).ToList();
        Assert.True(unexpected.Count == 0, $"deliveries of events not in the log: {string.Join(", ", unexpected.Take(10))}");
        var delivered = expected.Count(bySequence.ContainsKey);
        return new DeliveryFigures(expected.Count, delivered, requests.Count, requests.Count - bySequence.Count,
            expected.Count - delivered);
    }
}
