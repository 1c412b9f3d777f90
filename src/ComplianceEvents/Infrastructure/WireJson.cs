using System.Text.Json;
using System.Text.Json.Serialization;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// The wire format of every message this host sends or reads (queues, webhook bodies, the input contract's view of a
/// command): the HTTP API's conventions, camelCase with enums as strings, read case-insensitively.
/// </summary>
public static class WireJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.PropertyNameCaseInsensitive = true;
        o.Converters.Add(new JsonStringEnumConverter());
        return o;
    }
}
