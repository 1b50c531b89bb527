using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;

namespace LgspHub.Deploy.Tests;

/// <summary>
/// No secret is in a deployment file: compose requires each one as a variable with no default, Kubernetes reads each
/// from a Secret the operator creates; deploy/tools/new-secrets.py makes exactly those, and nothing runs in Development.
/// </summary>
public partial class SecretsTests
{
    private static readonly string ComposeText = Repo.Read("deploy", "compose.yaml");

    /// <summary>Not secrets: the only variables compose may default.</summary>
    private static readonly string[] Optional = ["OTEL_EXPORTER_OTLP_ENDPOINT"];

    [Fact]
    public void Compose_requires_every_variable_it_uses_with_no_default_but_the_telemetry_endpoint()
    {
        var defaulted = Reference().Matches(ComposeText).Where(m => !m.Groups["op"].Value.EndsWith('?')).Select(m => m.Groups["name"].Value).Distinct();

        Assert.Equal(Optional, defaulted);
    }

    [Fact]
    public void Every_secret_setting_of_compose_is_a_required_variable_never_a_value()
    {
        var raw = ComposeFile.Raw;
        var settings = raw.Instances.SelectMany(i => i.Environment.Select(e => (i.Name, e.Key, e.Value)))
            .Concat(raw.RabbitMqNodes.SelectMany(n => ComposeFile.EnvironmentOf(n.Service).Select(e => (n.Name, e.Key, e.Value))));

        foreach (var (name, key, value) in settings)
        {
            if (Secrets.IsSecretSetting(key) || key.EndsWith("_PASSWORD", StringComparison.Ordinal) || key == "RABBITMQ_ERLANG_COOKIE")
                Assert.True(Required().IsMatch(value), $"{name}: {key} is {value}, not a required variable");
            if (Secrets.PasswordIn(value) is { } password)
                Assert.True(Required().IsMatch(password), $"{name}: {key} holds a password that is not a required variable");
        }
    }

    [Fact]
    public void The_generator_makes_exactly_the_variables_compose_requires_and_compose_refuses_to_start_without_any()
    {
        var required = ComposeFile.RequiredVariables(ComposeText);

        Assert.Equal(required.Order(StringComparer.Ordinal), Secrets.Generated.Keys.Order(StringComparer.Ordinal));
        foreach (var variable in required)
        {
            var without = Secrets.Generated.Where(v => v.Key != variable).ToDictionary(v => v.Key, v => v.Value);
            var refused = Assert.Throws<InvalidOperationException>(() => ComposeFile.Interpolate(ComposeText, without));
            Assert.Contains(variable, refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_manifests_hold_no_secret_and_read_every_one_from_the_generated_secret()
    {
        var k8s = KubernetesManifests.Hub;

        Assert.Empty(k8s.OfKind("Secret"));
        var references = k8s.Workloads.SelectMany(KubernetesManifests.Containers).SelectMany(c => c.List("env"))
            .Select(v => v.At("valueFrom", "secretKeyRef")).Where(r => r is not null).ToList();
        Assert.NotEmpty(references);
        Assert.All(references, r =>
        {
            Assert.Equal(Secrets.KubernetesSecret, r.Text("name"));
            Assert.Contains(r.Text("key")!, Secrets.Generated.Keys);
        });
        foreach (var instance in k8s.Instances)
        {
            foreach (var (key, value) in instance.Environment)
            {
                if (Secrets.IsSecretSetting(key))
                    Assert.True(value.StartsWith($"secret.{Secrets.KubernetesSecret}.", StringComparison.Ordinal), $"{instance.Name}: {key} is not read from {Secrets.KubernetesSecret}");
                if (Secrets.PasswordIn(value) is { } password)
                    Assert.True(password.StartsWith($"secret.{Secrets.KubernetesSecret}.", StringComparison.Ordinal), $"{instance.Name}: {key} holds a password of its own");
            }
        }
    }

    [Fact]
    public void The_gateway_presents_each_agency_the_key_that_agency_checks_in_compose_and_in_kubernetes()
    {
        foreach (var instances in new[] { ComposeFile.Hub.Instances, KubernetesManifests.Hub.Instances })
        {
            var gateway = instances.Single(i => i.Host.IsGateway).Environment;
            foreach (var agency in instances.Where(i => !i.Host.IsGateway))
            {
                Assert.Equal(gateway[$"Lgsp__AgencyCredentials__GatewayKeys__{agency.Host.Name}"], agency.Environment["Lgsp__Access__GatewayKey"]);
                Assert.Equal(gateway["Lgsp__AgencyCredentials__OperatorKey"], agency.Environment["Lgsp__Access__OperatorKey"]);
            }
            // Each agency its own key.
            Assert.Equal(HubCode.Agencies.Count(), HubCode.Agencies.Select(a => gateway[$"Lgsp__AgencyCredentials__GatewayKeys__{a.Name}"]).Distinct().Count());
        }
    }

    [Fact]
    public void The_land_agency_s_generated_client_secret_matches_the_hash_the_gateway_registers()
    {
        var gateway = ComposeFile.Hub.InstancesOf("gateway").Single().Environment;
        var land = ComposeFile.Hub.InstancesOf("land").Single().Environment;

        var verified = new PasswordHasher<object>().VerifyHashedPassword(new object(), gateway["Lgsp__Consumers__agency.land__SecretHash"], land["Lgsp__ClientSecret"]);

        Assert.Equal(PasswordVerificationResult.Success, verified);
    }

    [Fact]
    public void The_generated_token_signing_key_is_one_the_gateway_signs_with()
    {
        var configured = ComposeFile.Hub.InstancesOf("gateway").Single().Environment["Lgsp__Tokens__SigningKey"];
        var options = Microsoft.Extensions.Options.Options.Create(new LgspHub.Gateway.Access.LgspOptions { Tokens = { SigningKey = configured } });

        var key = new LgspHub.Gateway.Access.TokenSigningKey(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<LgspHub.Gateway.Access.TokenSigningKey>.Instance);

        Assert.True(key.Key.Rsa.KeySize >= LgspHub.Gateway.Access.TokenSigningKey.MinimumBits);
    }

    [Fact]
    public void No_deployment_runs_a_host_in_the_development_environment()
    {
        foreach (var instance in ComposeFile.Hub.Instances.Concat(KubernetesManifests.Hub.Instances))
        {
            foreach (var variable in new[] { "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT" })
                Assert.False(string.Equals(instance.Environment.GetValueOrDefault(variable), "Development", StringComparison.OrdinalIgnoreCase),
                    $"{instance.Name} runs in Development: with the development consumers and keys");
        }
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:?[-?])[^}]*)?\}")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^\$\{[A-Z_]+:\?[^}]+\}$")]
    private static partial Regex Required();
}
