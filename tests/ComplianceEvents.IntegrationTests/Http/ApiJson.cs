using System.Text.Json;
using System.Text.Json.Serialization;

namespace ComplianceEvents.IntegrationTests.Http;

/// <summary>How a client writes a command body: camelCase, enums by name (the contract refuses an enum given as a number).</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
