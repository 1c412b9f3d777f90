using System.Net.Http.Json;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Auth;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine;

namespace ComplianceEvents.IntegrationTests;

/// <summary>
/// One real host over one real PostgreSQL for the whole run: a throwaway cluster in a temp folder
/// (removed after), or the server COMPLIANCE_TEST_DB points at. Either way the tests get a database of
/// their own, created here and dropped after.
/// </summary>
public sealed class AppFixture : IAsyncLifetime
{
    private LocalPostgres? _cluster;
    private string _serverConnectionString = "";
    /// <summary>The server the test database lives on (tests that need an empty database of their own create it there).</summary>
    public string ServerConnectionString => _serverConnectionString;
    private readonly string _database = "compliance_test_" + Guid.NewGuid().ToString("N")[..8];

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;
    public string ConnectionString { get; private set; } = "";
    /// <summary>The host's Chain:Key (base64): what a check of the chain from outside the host (Invariants) signs with.</summary>
    public string ChainKey { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    public IDocumentStore Store => Factory.Services.GetRequiredService<IDocumentStore>();

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("COMPLIANCE_TEST_DB");
        if (string.IsNullOrWhiteSpace(external))
        {
            _cluster = LocalPostgres.StartTemporary();
            _serverConnectionString = _cluster.ConnectionString();
        }
        else _serverConnectionString = external;

        await using (var conn = new NpgsqlConnection(_serverConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {_database}", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = _database }.ConnectionString;

        // Program ends in RunJasperFxCommands: the test host must be told to start the app it builds.
        JasperFxEnvironment.AutoStartHost = true;
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting($"ConnectionStrings:{Persistence.ConnectionStringName}", ConnectionString);
            b.UseSetting("Auth:SigningKey", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            b.UseSetting("Chain:Key", ChainKey);
            b.UseEnvironment("Development");
            b.ConfigureServices(s => s.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, Http.StatusRecorder>());
        });
        _ = Factory.Server; // start the host now, not in the first test; it sets the schema up itself
    }

    public async Task DisposeAsync()
    {
        // Every status the whole run saw must be documented for its route (checked once all tests of the host ran).
        var undocumented = Http.StatusRecorder.Undocumented(await Factory.CreateClient().GetStringAsync("/openapi/v1.json"));
        await Factory.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using (var conn = new NpgsqlConnection(_serverConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        _cluster?.Dispose();
        if (undocumented.Count > 0)
            throw new InvalidOperationException("answers not in the OpenAPI document: " + string.Join("; ", undocumented));
    }

    /// <summary>Wipes events, documents and receipts between tests.</summary>
    public Task ResetAsync() => Infrastructure.Chain.EventChain.ResetAllData(Factory.Services);

    /// <summary>A client carrying a signed token for the user and roles (a commitment scopes lead/director roles).</summary>
    public HttpClient Client(string user = "alice", params string[] roles) => ClientFor(user, roles, null);

    public HttpClient ClientFor(string user, IReadOnlyList<string> roles, string? commitment)
    {
        var client = Factory.CreateClient();
        var token = DevTokens.Mint(Factory.Services.GetRequiredService<AuthSettings>(), user, roles, commitment);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public Task<CommandResult> Send(object command, string user = "alice", string[]? roles = null, string? commandId = null) =>
        Factory.Services.GetRequiredService<CommandRunner>().Send(command, new CommandContext(new Actor(user, roles ?? []), commandId),
            default);

    /// <summary>
    /// Domain events committed, counted in SQL. Marten writes "tombstone" events to the mt_tombstone stream
    /// to fill the sequence gap a failed append leaves; they are not ours and not counted.
    /// </summary>
    public async Task<long> EventCount()
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select count(*) from compliance.mt_events where stream_id <> 'mt_tombstone'", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}

[CollectionDefinition(Name)]
public sealed class HostCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "host";
}

/// <summary>Base for tests on the shared host: data is reset before each test.</summary>
[Collection(HostCollection.Name)]
public abstract class HostTest(AppFixture app) : IAsyncLifetime
{
    protected AppFixture App { get; } = app;
    public Task InitializeAsync() => App.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;
}
