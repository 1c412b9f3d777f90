using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace ComplianceEvents.IntegrationTests.Chaos;

public enum Answer { Acknowledged, Unavailable, NoAnswer, Conflict, Refused, ServerError }

/// <summary>One HTTP answer as a client sees it; <see cref="Problem"/> is the last segment of the problem type.</summary>
public sealed record Reply(Answer Answer, int Status, string? Problem, TimeSpan RetryAfter, TimeSpan Took, string Detail);

/// <summary>
/// What the clients of a scenario sent and what they were answered: every command by its key, whether any attempt was
/// acknowledged (2xx), and every answer, so the log can be held against it afterwards (<see cref="LogChecks"/>).
/// </summary>
public sealed class Ledger
{
    /// <summary>The outage answers (docs/api.md): the database is down, or a write's commit outcome is unknown.</summary>
    public static readonly string[] OutageProblems = ["database-unavailable", "commit-outcome-unknown"];

    private readonly ConcurrentDictionary<string, ChaosCommand> _sent = new();
    private readonly ConcurrentDictionary<string, Reply> _acknowledged = new();
    private readonly ConcurrentQueue<(string Key, Reply Reply, DateTime At)> _replies = new();

    public IReadOnlyCollection<ChaosCommand> Sent => [.. _sent.Values];
    public bool IsAcknowledged(string key) => _acknowledged.ContainsKey(key);
    public int AcknowledgedCount => _acknowledged.Count;
    public IReadOnlyList<(string Key, Reply Reply, DateTime At)> Replies => [.. _replies];
    public int Count(Answer answer) => _replies.Count(r => r.Reply.Answer == answer);

    public async Task<Reply> Send(HttpClient client, ChaosCommand command, CancellationToken ct = default)
    {
        _sent.TryAdd(command.Key, command);
        var clock = Stopwatch.StartNew();
        Reply reply;
        try
        {
            using var request = command.Request();
            using var response = await client.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            reply = Classify(response, body, clock.Elapsed);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !ct.IsCancellationRequested)
        {
            // The connection broke or the answer never came: the client cannot tell whether the command took effect.
            reply = new Reply(Answer.NoAnswer, 0, null, TimeSpan.Zero, clock.Elapsed, e.GetBaseException().Message);
        }
        _replies.Enqueue((command.Key, reply, DateTime.UtcNow));
        if (reply.Answer == Answer.Acknowledged) _acknowledged.TryAdd(command.Key, reply);
        return reply;
    }

    private static Reply Classify(HttpResponseMessage response, string body, TimeSpan took)
    {
        var status = (int)response.StatusCode;
        string? problem = null;
        if (body.StartsWith('{'))
            try
            {
                using var json = JsonDocument.Parse(body);
                if (json.RootElement.TryGetProperty("type", out var type)) problem = type.GetString()?.Split('/')[^1];
            }
            catch (JsonException) { }
        var retryAfter = response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero;
        var answer = response.StatusCode switch
        {
            _ when response.IsSuccessStatusCode => Answer.Acknowledged,
            HttpStatusCode.ServiceUnavailable when problem is not null && OutageProblems.Contains(problem) => Answer.Unavailable,
            HttpStatusCode.Conflict when problem == "stream-version" => Answer.Conflict,
            _ when status >= 500 => Answer.ServerError,
            _ => Answer.Refused,
        };
        return new Reply(answer, status, problem, retryAfter, took, answer == Answer.Acknowledged ? "" : $"{status} {body}");
    }

    /// <summary>
    /// Sends until the answer is not a lost race: a 409 stream-version (the pipeline's own retries lost too) is repeated under the
    /// same Idempotency-Key, as docs/api.md asks ("reload and retry").
    /// </summary>
    public async Task<Reply> SendWinningRaces(HttpClient client, ChaosCommand command, CancellationToken ct = default)
    {
        while (true)
            if (await Send(client, command, ct) is { Answer: not Answer.Conflict } reply) return reply;
    }

    /// <summary>How many answers of each kind, for a failure's message.</summary>
    public string Counts() => string.Join(", ", _replies.GroupBy(r => r.Reply.Answer).Select(g => $"{g.Key} {g.Count()}"));

    /// <summary>Answers that no scenario may give: any 5xx but an outage's 503, and a refusal of a valid command.</summary>
    public string Unexpected() => string.Join("\n", _replies.Where(r => r.Reply.Answer is Answer.ServerError or Answer.Refused)
        .Take(10).Select(r => $"{r.Key}: {r.Reply.Detail}"));
}
