using System.Net;
using System.Net.Sockets;
using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.IntegrationTests.Embedded;

/// <summary>The product as a user runs it: what it prints, and one line with a non-zero exit when it refuses.</summary>
public sealed class CommandLineTests(AppFixture app) : HostTest(app)
{
    private static readonly Dictionary<string, string?> Nothing = new();

    [Fact]
    public async Task token_starts_no_database_and_prints_only_the_token()
    {
        var dir = Directory.CreateTempSubdirectory("token-");
        try
        {
            var (exit, output, error) = await ProductProcess.Run(dir.FullName, Nothing, "token", "bob", "--role", "analyst");
            Assert.True(exit == 0, error);
            Assert.Equal("", error);
            Assert.Matches(@"^[\w-]+\.[\w-]+\.[\w-]+\n$", output);
            Assert.True(File.Exists(Path.Combine(dir.FullName, ".data", "keys", "dev-signing-key")));
            Assert.False(Directory.Exists(Path.Combine(dir.FullName, ".data", "pg")));
            if (ClusterPlacement.RunningAsRoot) Assert.False(Directory.Exists(ClusterPlacement.Relocated(Path.Combine(dir.FullName,
                ".data", "pg"))));

            (exit, output, error) = await ProductProcess.Run(dir.FullName, Nothing, "token");
            Assert.NotEqual(0, exit);
            Assert.Equal("", output);
            Assert.Equal(1, Lines(error));
            Assert.StartsWith("token: give a user and --role", error);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task token_signs_with_the_key_of_the_working_directorys_configuration_as_the_host_reads_it()
    {
        var dir = Directory.CreateTempSubdirectory("token-");
        try
        {
            var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
            File.WriteAllText(Path.Combine(dir.FullName, "appsettings.json"),
                $$"""{ "Auth": { "SigningKey": "{{Convert.ToBase64String(key)}}" } }""");
            var (exit, output, error) = await ProductProcess.Run(dir.FullName, Nothing, "token", "bob", "--role", "analyst");
            Assert.True(exit == 0, error);
            var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler();
            var validation = await handler.ValidateTokenAsync(output.Trim(), new Microsoft.IdentityModel.Tokens.TokenValidationParameters
            {
                IssuerSigningKey = new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(key),
                ValidateIssuer = false, ValidateAudience = false,
            });
            Assert.True(validation.IsValid, validation.Exception?.Message);
            Assert.False(File.Exists(Path.Combine(dir.FullName, ".data", "keys", "dev-signing-key")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task a_foreign_embedded_directory_ends_a_command_and_the_server_with_one_line()
    {
        var dir = Directory.CreateTempSubdirectory("foreign-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "notes.txt"), "mine");
            var env = new Dictionary<string, string?> { ["Embedded__DataDirectory"] = dir.FullName };
            foreach (var args in new[] { new[] { "scores", "2024-apulia" }, [] })
            {
                var (exit, output, error) = await ProductProcess.Run(Repo.Root, env, args);
                Assert.True(exit != 0, $"{string.Join(' ', args)} exited 0");
                Assert.Equal("", output);
                Assert.Equal(1, Lines(error));
                Assert.Contains($"{dir.FullName} is not empty and holds no PostgreSQL cluster", error);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task a_port_in_use_ends_the_server_with_one_line_naming_it()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        var env = new Dictionary<string, string?> { [$"ConnectionStrings__{Persistence.ConnectionStringName}"] = App.ConnectionString,
            ["Logging__LogLevel__Default"] = "None" };
        var (exit, _, error) = await ProductProcess.Run(Repo.Root, env, "--urls", url);
        Assert.True(exit != 0, "the server started on a port in use");
        Assert.Equal(1, Lines(error));
        Assert.Contains("cannot listen", error);
        Assert.Contains(url, error);
    }

    private static int Lines(string text) => text.TrimEnd('\n').Split('\n').Length;
}
