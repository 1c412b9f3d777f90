using System.Text;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Persistence.Durability;
using Wolverine.Persistence.Durability.DeadLetterManagement;
using Wolverine.Runtime;

namespace ComplianceEvents.Integration.ListingDeadLetters;

/// <summary>
/// A message Wolverine gave up on, from its dead-letter table (wolverine_dead_letters): why, where it
/// was received, how often it was tried, and its body as sent (poison bodies may not be valid JSON).
/// </summary>
public sealed record DeadLetterView(Guid Id, string? MessageType, string? ReceivedAt, string? ExceptionType, string? ExceptionMessage,
    DateTimeOffset SentAt, DateTimeOffset? FailedAt, int Attempts, bool Replayable, string? Body)
{
    public static DeadLetterView From(DeadLetterEnvelope d) =>
        new(d.Id, d.MessageType, d.ReceivedAt, d.ExceptionType, d.ExceptionMessage, d.SentAt, d.FailedAt, d.Envelope?.Attempts ?? 0, d.Replayable,
            d.Envelope?.Data is { Length: > 0 } data ? Encoding.UTF8.GetString(data) : null);
}

/// <summary>One page of dead letters and how many there are in all.</summary>
public sealed record DeadLetterPage(int TotalCount, int PageNumber, IReadOnlyList<DeadLetterView> DeadLetters);

public static class ListDeadLettersEndpoint
{
    /// <summary>Newest page first is Wolverine's order; <c>messageType</c> filters by wire name (e.g. DeliverWebhook's full name).</summary>
    [WolverineGet("/integration/dead-letters", OperationId = "ListDeadLetters"), Tags("Integration"),
        ProducesResponseType<DeadLetterPage>(StatusCodes.Status200OK)]
    public static async Task<IResult> List(string? messageType, int? limit, int? page, IWolverineRuntime runtime, HttpContext http, CancellationToken ct)
    {
        if (IntegrationCommands.Refusal(DevTokens.ActorOf(http.User), "read dead letters") is { } refused) return refused.ToHttp(http);
        var query = new DeadLetterEnvelopeQuery
        {
            PageSize = Math.Clamp(limit ?? 100, 1, 500),
            PageNumber = Math.Max(page ?? 0, 0),
            MessageType = string.IsNullOrWhiteSpace(messageType) ? null : messageType,
        };
        var results = await runtime.Storage.DeadLetters.QueryAsync(query, ct);
        return Results.Ok(new DeadLetterPage(results.TotalCount, results.PageNumber,
            results.Envelopes.Select(DeadLetterView.From).ToList()));
    }

    [WolverineGet("/integration/dead-letters/{id}", OperationId = "GetDeadLetter"), Tags("Integration"),
        ProducesResponseType<DeadLetterView>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Guid id, IWolverineRuntime runtime, HttpContext http)
    {
        if (IntegrationCommands.Refusal(DevTokens.ActorOf(http.User), "read dead letters") is { } refused) return refused.ToHttp(http);
        return await runtime.Storage.DeadLetters.DeadLetterEnvelopeByIdAsync(id, null) is { } deadLetter
            ? Results.Ok(DeadLetterView.From(deadLetter))
            : Problems.NotFound(http, "dead-letter", $"Dead letter '{id}' does not exist (replayed or discarded?).");
    }
}
