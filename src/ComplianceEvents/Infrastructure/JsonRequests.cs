using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing.Patterns;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// Checks every request against the input contract before an endpoint binds it (docs/api.md "Input contract"): route
/// values, If-Match, content type, size, JSON syntax and the body's shape and limits. Anything refused here is a problem
/// details answer naming each field and rule; nothing reaches a handler, so nothing is appended.
/// </summary>
public static class JsonRequests
{
    public static IApplicationBuilder UseJsonContract(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (await Refusal(http) is { } refusal) await refusal.ExecuteAsync(http);
        else
        {
            await next(http);
            // Routing answers a body type no endpoint accepts with a bare 415 before any endpoint runs.
            if (http.Response.StatusCode == StatusCodes.Status415UnsupportedMediaType && !http.Response.HasStarted)
                await UnsupportedMediaType(http).ExecuteAsync(http);
        }
    });

    private static IResult UnsupportedMediaType(HttpContext http) =>
        Problems.Problem(http, StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Send the body as application/json.",
            [new FieldError("Content-Type", "media-type", $"Must be application/json, not '{http.Request.ContentType}'.")]);

    private static async Task<IResult?> Refusal(HttpContext http)
    {
        if (http.GetEndpoint() is not RouteEndpoint endpoint) return null;
        var errors = RouteErrors(http, endpoint.RoutePattern);
        var requestType = endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        if (requestType is null || !HttpMethods.IsPost(http.Request.Method) && !HttpMethods.IsPut(http.Request.Method))
            return errors.Count == 0 ? null : Invalid(http, errors, "The URL does not fit the contract.");
        errors.AddRange(IfMatchErrors(http));

        var body = await ReadBody(http);
        if (body is null)
            return Problems.Problem(http, StatusCodes.Status413PayloadTooLarge, "payload-too-large",
                $"A request body holds at most {JsonLimits.MaxBodyBytes} bytes.",
                [new FieldError("body", "max-size", $"At most {JsonLimits.MaxBodyBytes} bytes.")]);
        if (body.Length > 0 && !IsJson(http.Request.ContentType)) return UnsupportedMediaType(http);
        if (body.Length == 0) body = "{}"u8.ToArray();

        JsonDocument document;
        try { document = JsonDocument.Parse(body, JsonContract.Strict); }
        catch (JsonException e)
        {
            errors.Add(new FieldError(e.Path is { Length: > 0 } p ? p : "$", "json-syntax",
                $"Malformed JSON at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}: {FirstSentence(e.Message)}"));
            return Invalid(http, errors, "The body is not well-formed JSON.");
        }
        var routeValues = endpoint.RoutePattern.Parameters.Select(p => p.Name).ToList();
        using (document)
            errors.AddRange(JsonContract.Check(document.RootElement, JsonContract.BodyOf(requestType, routeValues)));
        if (!errors.Any(JsonContract.IsStructural)) errors.AddRange(ValidatorErrors(http, requestType, body, routeValues, errors));
        if (errors.Count > 0) return Invalid(http, errors, "The request does not fit the contract.");

        http.Request.Body = new MemoryStream(body);
        http.Request.ContentLength = body.Length;
        http.Request.ContentType = "application/json";
        return null;
    }

    /// <summary>
    /// The command's own shape rules (its validator, which every entry point runs again), so one answer lists every
    /// failing field; route values are not in the body yet, and are checked above.
    /// </summary>
    private static IEnumerable<FieldError> ValidatorErrors(HttpContext http, Type requestType, byte[] body, List<string> routeValues,
        List<FieldError> known)
    {
        var validator = http.RequestServices.GetRequiredService<CommandValidators>().For(requestType);
        var options = http.RequestServices
            .GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value;
        FluentValidation.Results.ValidationResult result;
        try
        {
            if (validator is null || JsonSerializer.Deserialize(body, requestType, options.SerializerOptions) is not { } command) return [];
            result = validator.Validate(new FluentValidation.ValidationContext<object>(command));
        }
        catch (Exception e) when (e is JsonException or NullReferenceException) { return []; } // the handler's runner validates again

        var route = routeValues.Select(JsonContract.JsonName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return CommandRunner.Invalid(result).Errors
            .Where(e => !route.Contains(e.Field.Split('.', '[')[0]) && !known.Any(k => k.Field == e.Field)).ToList();
    }

    private static IResult Invalid(HttpContext http, List<FieldError> errors, string detail) =>
        Problems.Problem(http, StatusCodes.Status400BadRequest, "validation", detail, errors);

    /// <summary>Route values are checked like body fields of the same name; <c>kind</c> is a name, never a number.</summary>
    private static List<FieldError> RouteErrors(HttpContext http, RoutePattern pattern)
    {
        var errors = new List<FieldError>();
        foreach (var parameter in pattern.Parameters)
        {
            var text = http.GetRouteValue(parameter.Name)?.ToString() ?? "";
            void Fail(string rule, string message) => errors.Add(new FieldError(parameter.Name, rule, message));
            switch (parameter.Name)
            {
                case "kind":
                    if (text is not ("interim" or "final")) Fail("enum", "Must be interim or final.");
                    break;
                case "edition":
                    if (!long.TryParse(text, System.Globalization.NumberStyles.None, null, out var n)) Fail("type",
                        "Must be a whole number.");
                    else JsonContract.CheckRange(n, JsonLimits.For(null, "edition"), Fail);
                    break;
                default:
                    JsonContract.CheckText(text, JsonLimits.For(null, parameter.Name), Fail);
                    break;
            }
        }
        return errors;
    }

    private static IEnumerable<FieldError> IfMatchErrors(HttpContext http)
    {
        var raw = http.Request.Headers.IfMatch.ToString().Trim();
        if (raw.Length == 0 || Problems.TryParseIfMatch(raw, out _)) yield break;
        yield return new FieldError("If-Match", "entity-tag", $"If-Match must be a stream version such as \"5\", not {raw}.");
    }

    /// <summary>The body, or null when it is larger than the limit (read no further than one byte past it).</summary>
    private static async Task<byte[]?> ReadBody(HttpContext http)
    {
        if (http.Request.ContentLength > JsonLimits.MaxBodyBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > JsonLimits.MaxBodyBytes) return null;
        }
        return buffer.ToArray();
    }

    private static bool IsJson(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json",
            StringComparison.OrdinalIgnoreCase))
        && (!media.Charset.HasValue || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    private static string FirstSentence(string message) =>
        message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0];
}
