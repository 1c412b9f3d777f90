using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceEvents.Cycles;
using ComplianceEvents.Cycles.OpeningCycle;
using ComplianceEvents.Infrastructure;
using Marten;

namespace ComplianceEvents.IntegrationTests.Cycles;

public sealed class OpeningCycleTests(AppFixture app) : HostTest(app)
{
    public static OpenCycle Apulia(string id = "2024-apulia") => new(id, "G7 Apulia Summit", "Borgo Egnazia", "Italy",
        new DateOnly(2024, 6, 13), new DateOnly(2024, 6, 15),
        [new("CA", "Canada"), new("FR", "France"), new("DE", "Germany"), new("IT", "Italy"),
         new("JP", "Japan"), new("UK", "United Kingdom"), new("US", "United States"), new("EU", "European Union")]);

    [Fact]
    public async Task opening_a_cycle_over_http_stores_the_event_with_its_metadata_and_reads_it_back()
    {
        var client = App.Client("alice", Roles.ComplianceDirector);
        var post = await client.PostAsJsonAsync("/cycles", Apulia());
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        Assert.Equal("/cycles/2024-apulia", post.Headers.Location?.ToString());

        var view = await client.GetFromJsonAsync<JsonElement>("/cycles/2024-apulia");
        Assert.Equal("G7 Apulia Summit", view.GetProperty("summitName").GetString());
        Assert.Equal(8, view.GetProperty("members").GetArrayLength());
        Assert.Equal("CA", view.GetProperty("members")[0].GetProperty("code").GetString());
        Assert.Equal(1, view.GetProperty("version").GetInt64());

        await using var session = App.Store.QuerySession();
        var events = await session.Events.FetchStreamAsync("cycle:2024-apulia");
        var opened = Assert.Single(events);
        Assert.IsType<CycleOpened>(opened.Data);
        Assert.Equal("cycle_opened", opened.EventTypeName);
        Assert.Equal("alice", opened.Headers?["user-id"]?.ToString());
        Assert.False(string.IsNullOrEmpty(opened.CorrelationId));
        Assert.False(string.IsNullOrEmpty(opened.CausationId));
    }

    [Fact]
    public async Task an_invalid_cycle_gets_400_naming_each_field_and_appends_nothing()
    {
        var response = await App.Client().PostAsJsonAsync("/cycles",
            Apulia("Not A Slug") with { SummitName = "", SummitEnd = new DateOnly(2024, 6, 1), Members = [] });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "cycleId", "summitName", "summitEnd", "members" }, fields);
        Assert.Equal(0, await App.EventCount());
    }

    [Fact]
    public async Task opening_the_same_cycle_twice_gets_409_and_appends_nothing()
    {
        var client = App.Client("alice", Roles.ComplianceDirector);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/cycles", Apulia())).StatusCode);
        var again = await client.PostAsJsonAsync("/cycles", Apulia() with { SummitName = "Other" });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var problem = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("cycle-exists", problem.GetProperty("title").GetString());
        Assert.Equal(1, await App.EventCount());
    }

    [Fact]
    public async Task an_analyst_cannot_open_a_cycle_and_gets_403()
    {
        var response = await App.Client("ann", Roles.Analyst).PostAsJsonAsync("/cycles", Apulia());
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, await App.EventCount());
    }

    [Fact]
    public async Task an_unknown_cycle_gets_404()
    {
        var response = await App.Client().GetAsync("/cycles/1999-nowhere");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("cycle-not-found", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task a_command_without_an_actor_gets_401_and_appends_nothing()
    {
        var anonymous = App.Factory.CreateClient();
        var response = await anonymous.PostAsJsonAsync("/cycles", Apulia());
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, await App.EventCount());
    }

    [Fact]
    public async Task the_same_command_through_the_bus_is_accepted_and_replaying_its_command_id_appends_nothing()
    {
        var first = await App.Send(Apulia(), roles: [Roles.ComplianceDirector], commandId: "cmd-1");
        var replay = await App.Send(Apulia(), roles: [Roles.ComplianceDirector], commandId: "cmd-1");

        Assert.True(first.IsAccepted);
        Assert.True(replay.IsAccepted);
        Assert.True(replay.Replayed);
        Assert.Equal(first.EventIds, replay.EventIds);
        Assert.Equal(1, await App.EventCount());
    }
}
