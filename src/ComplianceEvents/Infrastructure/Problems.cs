using Microsoft.AspNetCore.Mvc;
using Wolverine;

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
            _ => StatusCodes.Status500InternalServerError,
        };
        return Problem(http, status, result.Rule ?? "error", result.Message ?? "The command was refused.", result.Errors);
    }

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
    /// Sends a command through the bus with the caller as actor. Until JWT authentication lands (issue 9)
    /// the caller names itself in X-User-Id / X-User-Roles; Idempotency-Key becomes the command id.
    /// </summary>
    public static async Task<IResult> Dispatch(this HttpContext http, IMessageBus bus, object command, Func<CommandResult, string>? location = null)
    {
        var user = http.Request.Headers["X-User-Id"].ToString();
        if (string.IsNullOrWhiteSpace(user))
            return Problem(http, StatusCodes.Status401Unauthorized, "actor-required", "Send the acting user in the X-User-Id header.", []);
        var roles = http.Request.Headers["X-User-Roles"].ToString()
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var actor = new Actor(user, roles);
        var options = actor.ToDeliveryOptions(http.Request.Headers["Idempotency-Key"].ToString(), http.TraceIdentifier);
        var result = await bus.InvokeAsync<CommandResult>(command, options, http.RequestAborted);
        return result.ToHttp(http, location);
    }
}
