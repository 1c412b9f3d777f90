using Microsoft.AspNetCore.Mvc;

namespace ComplianceEvents.Infrastructure;

/// <summary>The one place where command outcomes become HTTP answers (RFC 9457 problem details).</summary>
public static class Problems
{
    public const string TypeBase = "https://compliance-events.dev/problems/";

    public static IResult ToHttp(this CommandResult result, HttpContext http, Func<CommandResult, string>? location = null)
    {
        if (result.IsAccepted)
        {
            if (result.Version is { } v) http.Response.Headers.ETag = $"\"{v}\"";
            if (result.Replayed) http.Response.Headers["Idempotent-Replay"] = "true";
            return location is null || result.Replayed ? Results.Ok(result) : Results.Created(location(result), result);
        }

        var status = result.Outcome switch
        {
            Outcome.Invalid => StatusCodes.Status400BadRequest,
            Outcome.Rejected => StatusCodes.Status422UnprocessableEntity,
            Outcome.Forbidden => StatusCodes.Status403Forbidden,
            Outcome.NotFound => StatusCodes.Status404NotFound,
            Outcome.Conflict => StatusCodes.Status409Conflict,
            Outcome.Unauthenticated => StatusCodes.Status401Unauthorized,
            Outcome.Unavailable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status500InternalServerError,
        };
        if (status == StatusCodes.Status503ServiceUnavailable) http.Response.Headers.RetryAfter = RetryAfterSeconds;
        return Problem(http, status, result.Rule ?? "error", result.Message ?? "The command was refused.", result.Errors);
    }

    /// <summary>A refusal of a query, answered with the same status and shape as a refused command.</summary>
    public static IResult Refuse(HttpContext http, RuleViolation violation) => CommandResult.Refused(violation).ToHttp(http);

    public static IResult NotFound(HttpContext http, string what, string detail) =>
        Problem(http, StatusCodes.Status404NotFound, $"{what}-not-found", detail, []);

    public static IResult Problem(HttpContext http, int status, string rule, string detail, IReadOnlyList<FieldError> errors)
    {
        var problem = new ProblemDetails
        {
            Type = TypeBase + rule,
            Title = rule,
            Status = status,
            Detail = detail,
            Instance = http.Request.Path,
        };
        if (errors.Count > 0)
            problem.Extensions["errors"] = errors.GroupBy(e => e.Field)
                .ToDictionary(g => g.Key, g => g.Select(e => new { rule = e.Rule, message = e.Message }).ToArray());
        return Results.Problem(problem);
    }

    /// <summary>
    /// Whatever the framework refuses itself (a body it cannot bind, a bad header) gets the validation shape with
    /// the field it names, never the framework's bare 400.
    /// </summary>
    public static void FromFrameworkRefusal(ProblemDetailsContext ctx)
    {
        var p = ctx.ProblemDetails;
        if (p.Status == StatusCodes.Status503ServiceUnavailable)
        {
            OutageProblem(p, ctx.Exception, ctx.HttpContext);
            return;
        }
        if (p.Status is not (StatusCodes.Status400BadRequest or StatusCodes.Status413PayloadTooLarge
            or StatusCodes.Status415UnsupportedMediaType)) return;
        var parameter = p.Extensions.TryGetValue("parameter", out var named) ? named as string : null;
        (string rule, string field) = p.Status switch
        {
            StatusCodes.Status413PayloadTooLarge => ("payload-too-large", "body"),
            StatusCodes.Status415UnsupportedMediaType => ("unsupported-media-type", "Content-Type"),
            _ => ("validation", parameter ?? (ctx.Exception as System.Text.Json.JsonException)?.Path ?? "$"),
        };
        p.Type = TypeBase + rule;
        p.Title = rule;
        p.Instance = ctx.HttpContext.Request.Path;
        p.Detail = ctx.Exception?.GetBaseException().Message ?? p.Detail ?? "The request was refused.";
        p.Extensions.Remove("traceId");
        if (!p.Extensions.ContainsKey("errors"))
            p.Extensions["errors"] = new Dictionary<string, object[]> { [field] = [new { rule = rule == "validation" ? "type" : rule,
                message = p.Detail }] };
    }

    /// <summary>
    /// An outage (HttpErrors.DatabaseUnavailable, docs/api.md "Outages"). When the connection broke while a write was being
    /// committed, the write may have been saved: <c>commit-outcome-unknown</c> says so and names the key to repeat it with;
    /// otherwise nothing was written (<c>database-unavailable</c>). Either way a repeat under the same Idempotency-Key takes
    /// effect at most once.
    /// </summary>
    private static void OutageProblem(ProblemDetails p, Exception? exception, HttpContext http)
    {
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        var unknown = Unwrap<CommitOutcomeUnknownException>(exception) is not null;
        var rule = unknown ? "commit-outcome-unknown" : "database-unavailable";
        p.Type = TypeBase + rule;
        p.Title = rule;
        p.Detail = unknown
            ? "The database connection broke while this write was being committed: it may or may not have been saved. " +
                (key.Length > 0 ? $"Repeat it with the same Idempotency-Key ('{key}') once the database is back (Retry-After): if it " +
                    "was saved, the repeat answers as the first did and changes nothing; if not, it is applied once."
                    : "This request carried no Idempotency-Key, so a repeat would be a new command: read the resource before " +
                    "sending it again, and send writes with an Idempotency-Key.")
            : "The database cannot be reached; nothing was written. Retry after the time in Retry-After; repeat a write with the " +
                "same Idempotency-Key: if it was saved before the outage, the repeat answers as the first did and changes nothing.";
        if (unknown && key.Length > 0) p.Extensions["idempotencyKey"] = key;
        p.Instance = http.Request.Path;
        p.Extensions.Remove("traceId");
        http.Response.Headers.RetryAfter = RetryAfterSeconds;
    }

    public const string RetryAfterSeconds = "5";

    private static T? Unwrap<T>(Exception? e) where T : Exception => e switch
    {
        null => null,
        T found => found,
        _ => Unwrap<T>(e.InnerException),
    };

    /// <summary>
    /// Runs a command as the token's subject with the token's roles; Idempotency-Key becomes the command id. Rules stay in
    /// the module's decision: this only says who is asking.
    /// </summary>
    public static Task<IResult> Send(this HttpContext http, CommandRunner runner, object command,
        Func<CommandResult, string>? location = null) =>
        http.Send(context => runner.Send(command, context, http.RequestAborted), location);

    /// <summary>As the overload above, for a command without a slice (the Integration module's own).</summary>
    public static async Task<IResult> Send(this HttpContext http, Func<CommandContext, Task<CommandResult>> run,
        Func<CommandResult, string>? location = null)
    {
        if (Auth.DevTokens.ActorOf(http.User) is not { } actor)
            return Problem(http, StatusCodes.Status401Unauthorized, "authentication-required", "Send a bearer token (Authorization: " +
                "Bearer <jwt>).", []);
        var context = new CommandContext(actor,
            CorrelationId: http.TraceIdentifier).With(http.Request.Headers["Idempotency-Key"].ToString());
        return (await run(context)).ToHttp(http, location);
    }

    /// <summary>If-Match carries the stream version the client expects ("5", W/"5" or 5); absent means no expectation.</summary>
    public static long? IfMatch(this HttpContext http, long? fallback)
    {
        var raw = http.Request.Headers.IfMatch.ToString().Trim();
        if (raw.Length == 0) return fallback;
        // JsonRequests refuses a bad If-Match with the validation shape before any endpoint runs.
        return TryParseIfMatch(raw, out var version) ? version
            : throw new BadHttpRequestException($"If-Match must be a stream version such as \"5\", not " +
                $"{raw}.", StatusCodes.Status400BadRequest);
    }

    public static bool TryParseIfMatch(string raw, out long version) =>
        long.TryParse(raw.Replace("W/", "").Trim().Trim('"'), System.Globalization.NumberStyles.None, null, out version);
}
