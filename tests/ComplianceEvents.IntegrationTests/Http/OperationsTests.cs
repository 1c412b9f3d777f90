using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;

namespace ComplianceEvents.IntegrationTests.Http;

public sealed class OperationsTests(AppFixture app) : HostTest(app)
{
    [Fact]
    public async Task health_reports_the_database_the_high_water_mark_and_projection_lag()
    {
        var health = await App.Factory.CreateClient().GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal("reachable", health.GetProperty("database").GetString());
        Assert.True(health.GetProperty("eventHighWaterMark").GetInt64() >= 0);
        Assert.Equal(0, health.GetProperty("projections").GetProperty("lag").GetInt32());
    }

    [Fact]
    public async Task with_the_console_exporter_on_the_host_traces_and_still_serves()
    {
        await using var traced = App.Factory.WithWebHostBuilder(b => b.UseSetting("Telemetry:Exporter", "console").UseSetting("Logging:Format", "json"));
        var response = await traced.CreateClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
