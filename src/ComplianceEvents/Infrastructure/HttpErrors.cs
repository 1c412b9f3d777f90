using System.Text.Json;

namespace ComplianceEvents.Infrastructure;

/// <summary>Bad input that reaches the framework (malformed JSON, a bad header) is a 400, never a 500.</summary>
public static class HttpErrors
{
    public static int StatusFor(Exception e) => e switch
    {
        BadHttpRequestException b => b.StatusCode,
        JsonException or FormatException => StatusCodes.Status400BadRequest,
        { InnerException: { } inner } => StatusFor(inner),
        _ => StatusCodes.Status500InternalServerError,
    };
}
