using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ComplianceEvents.Infrastructure;
using Wolverine.Http;

namespace ComplianceEvents.Tests.Infrastructure;

/// <summary>The OpenAPI example of every command (JsonExamples) fits its command's contract and binds to the command.</summary>
public sealed partial class JsonExamplesTests
{
    private static readonly JsonSerializerOptions Api = JsonContract.ApiConventions(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Every write endpoint's command type and the route values of its template, as the host finds them.</summary>
    public static TheoryData<string, string> Commands()
    {
        var data = new TheoryData<string, string>();
        var writes = typeof(JsonContract).Assembly.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .SelectMany(m => m.GetCustomAttributes<WolverineHttpMethodAttribute>().Where(a => a is WolverinePostAttribute
                or WolverinePutAttribute).Select(a => (m, a.Template)));
        foreach (var (method, template) in writes)
            if (method.GetParameters().FirstOrDefault(p => p.ParameterType.Assembly == typeof(JsonContract).Assembly
                && !p.ParameterType.IsValueType) is { } command)
                data.Add(command.ParameterType.FullName!, template);
        return data;
    }

    private static (Type Type, JsonShape Shape) Shape(string typeName, string template)
    {
        var type = typeof(JsonContract).Assembly.GetType(typeName)!;
        return (type, JsonContract.BodyOf(type, RouteValue().Matches(template).Select(m => m.Groups[1].Value)));
    }

    [Fact]
    public void every_write_route_of_the_host_is_found()
    {
        Assert.True(Commands().Count >= 18, $"only {Commands().Count} command routes");
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void the_example_of_each_command_fits_its_contract(string typeName, string template)
    {
        var (_, shape) = Shape(typeName, template);
        var example = JsonExamples.ExampleBody(shape);
        var errors = JsonContract.Check(JsonDocument.Parse(example.ToJsonString()).RootElement, shape);
        Assert.True(errors.Count == 0, $"{example.ToJsonString()}: " + string.Join("; ", errors));
        Assert.All(shape.Fields!.Where(f => f.Required), f => Assert.True(example.ContainsKey(f.Name), f.Name));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void the_example_of_each_command_binds_to_the_command_with_the_apis_json_options(string typeName, string template)
    {
        var (type, shape) = Shape(typeName, template);
        var example = JsonExamples.ExampleBody(shape);
        var command = JsonSerializer.Deserialize(example.ToJsonString(Api), type, Api);
        Assert.IsType(type, command);
        // Written back, every field the example gave holds what it said (enum names compare ignoring case).
        var written = JsonSerializer.SerializeToNode(command, type, Api)!.AsObject();
        foreach (var (name, value) in example)
            Assert.True(JsonNode.DeepEquals(Lower(value), Lower(written[name])), $"{name}: {value?.ToJsonString()} read as " +
                written[name]?.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void random_bodies_from_the_corpus_generator_fit_the_contract_too(string typeName, string template)
    {
        var (_, shape) = Shape(typeName, template);
        for (var seed = 0; seed < 40; seed++)
        {
            var body = JsonExamples.Example(shape, new Random(seed))!.ToJsonString();
            var errors = JsonContract.Check(JsonDocument.Parse(body).RootElement, shape);
            Assert.True(errors.Count == 0, $"seed {seed} {body}: " + string.Join("; ", errors));
        }
    }

    private static JsonNode? Lower(JsonNode? node) => node is null ? null : JsonNode.Parse(node.ToJsonString().ToLowerInvariant());

    [GeneratedRegex(@"\{(\w+)[^}]*\}")]
    private static partial Regex RouteValue();
}
