using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceEvents.Integration.DeliveringWebhooks;
using ComplianceEvents.IntegrationTests.WriteSide;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>Issue 9 item 3, webhooks: signed POSTs to a real loopback receiver, retries, dead letters, replay.</summary>
public sealed class WebhookTests(AppFixture app) : HostTest(app)
{
    public const string Secret = "a-subscriber-chosen-secret-0042";
    private IntegrationHost Host => For(App);

    /// <summary>Once the first request arrived, waits a little longer so a duplicate would have time to show.</summary>
    public static async Task<WebhookReceiver.Request[]> Received(WebhookReceiver receiver, int count, string what)
    {
        await Eventually(() => Task.FromResult(receiver.Requests.Count), n => n >= count, what);
        await Task.Delay(TimeSpan.FromSeconds(1));
        return receiver.Requests.ToArray();
    }

    public static async Task<string> Subscribe(HttpClient director, string url, params string[] eventTypes)
    {
        var created = await director.PostAsJsonAsync("/integration/webhooks", new { url, eventTypes, secret = Secret });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("resourceId").GetString()!;
    }

    [Fact]
    public async Task an_approval_reaches_the_subscriber_once_signed_and_a_dead_receiver_gets_it_once_after_replay()
    {
        await Host.ResetMessaging();
        await using var receiver = await WebhookReceiver.Start();
        var director = Host.Director;
        var id = await Subscribe(director, receiver.Url, "ScoreApprovedV1");
        var listed = await director.GetStringAsync("/integration/webhooks");
        Assert.Contains(id, listed);
        Assert.DoesNotContain(Secret, listed);
        Assert.DoesNotContain(Secret, await director.GetStringAsync($"/integration/webhooks/{id}"));

        await Host.BuildWorld();
        await Host.ApprovedCell("CA");

        var request = Assert.Single(await Received(receiver, 1, "the approval webhook"));
        Assert.Equal("ScoreApprovedV1", request.Header(WebhookSignature.EventHeader));
        var timestamp = request.Header(WebhookSignature.TimestampHeader);
        Assert.True(Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(timestamp)) < 60);
        Assert.True(WebhookSignature.Verify(Secret, timestamp, request.Body, request.Header(WebhookSignature.SignatureHeader)));
        Assert.False(WebhookSignature.Verify("another-secret-of-some-length", timestamp, request.Body, request.Header(WebhookSignature.SignatureHeader)));
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal("CA", body.GetProperty("memberCode").GetString());
        Assert.Equal("p1", body.GetProperty("proposalId").GetString());
        Assert.Equal(World.Lead, body.GetProperty("occurredBy").GetString());

        // Receiver down: every attempt is refused, then the delivery is dead-lettered.
        await receiver.Down();
        receiver.Requests.Clear();
        await Host.ApprovedCell("FR");
        var page = await Eventually(() => director.GetFromJsonAsync<DeadLetterPage>("/integration/dead-letters?messageType=DeliverWebhook")!,
            p => p!.DeadLetters.Count > 0, "the failed delivery in the dead letters");
        var letter = Assert.Single(page!.DeadLetters);
        Assert.EndsWith(nameof(WebhookDeliveryFailedException), letter.ExceptionType);
        Assert.Equal(3, letter.Attempts); // the first try and the two configured retries
        var dead = JsonDocument.Parse(letter.Body!).RootElement;

        await receiver.Up();
        var replay = await director.PostAsync($"/integration/dead-letters/{letter.Id}/replay", null);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        var redelivered = Assert.Single(await Received(receiver, 1, "the replayed webhook"));
        Assert.Equal(dead.GetProperty("deliveryId").GetString(), redelivered.Header(WebhookSignature.DeliveryHeader));
        Assert.Equal("FR", JsonDocument.Parse(redelivered.Body).RootElement.GetProperty("memberCode").GetString());
        Assert.True(WebhookSignature.Verify(Secret, redelivered.Header(WebhookSignature.TimestampHeader), redelivered.Body,
            redelivered.Header(WebhookSignature.SignatureHeader)));
        Assert.Equal(0, (await director.GetFromJsonAsync<DeadLetterPage>("/integration/dead-letters"))!.TotalCount);
    }

    [Fact]
    public async Task subscriptions_are_for_directors_and_validated()
    {
        var analyst = Host.Client(World.Analyst, World.AnalystRoles);
        var forbidden = await analyst.PostAsJsonAsync("/integration/webhooks", new { url = "http://127.0.0.1:9/hook", eventTypes = new[] { "*" }, secret = Secret });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync("/integration/dead-letters")).StatusCode);

        var invalid = await Host.Director.PostAsJsonAsync("/integration/webhooks", new { url = "ftp://x", eventTypes = new[] { "ScoreApproved" }, secret = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("url", out _));
        Assert.True(errors.TryGetProperty("eventTypes[0]", out _));
        Assert.True(errors.TryGetProperty("secret", out _));

        var id = await Subscribe(Host.Director, "http://127.0.0.1:9/hook", "*");
        Assert.Equal(HttpStatusCode.OK, (await Host.Director.DeleteAsync($"/integration/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Host.Director.GetAsync($"/integration/webhooks/{id}")).StatusCode);
    }
}
