using YamlDotNet.RepresentationModel;

namespace LgspHub.Deploy.Tests;

/// <summary>deploy/k8s's NetworkPolicies: only the gateway reaches the agencies, only the agencies the broker's AMQP port.</summary>
public class NetworkPolicyTests
{
    private static readonly KubernetesManifests K8s = KubernetesManifests.Hub;

    [Fact]
    public void Every_agency_answers_the_gateway_only_on_its_port()
    {
        var gateway = Labels(K8s.Workload("gateway"));
        foreach (var agency in HubCode.Agencies)
        {
            var pods = Labels(K8s.Workload(agency.Name));
            var policies = PoliciesSelecting(pods).ToList();
            Assert.True(policies.Count > 0, $"no NetworkPolicy selects {agency.Name}'s pods: any pod of the cluster may call it");
            var rules = policies.SelectMany(p => p.List("spec", "ingress")).ToList();
            Assert.NotEmpty(rules);
            Assert.All(rules, rule =>
            {
                var from = Assert.Single(rule.List("from"));
                Assert.Null(from.At("namespaceSelector"));
                Assert.Null(from.At("ipBlock"));
                Assert.True(Selects(from.At("podSelector"), gateway), $"{agency.Name} admits pods other than the gateway's");
                Assert.False(Selects(from.At("podSelector"), pods), $"{agency.Name} admits its own kind");
                Assert.Equal(["http"], rule.List("ports").Select(p => p.Text("port")));
            });
            // No other agency is admitted.
            foreach (var other in HubCode.Agencies.Where(a => a != agency))
                Assert.DoesNotContain(rules, r => Selects(r.List("from")[0].At("podSelector"), Labels(K8s.Workload(other.Name))));
        }
    }

    [Fact]
    public void The_broker_answers_amqp_to_the_agencies_only_and_its_management_api_to_the_gateway_only()
    {
        var broker = Labels(K8s.Named("StatefulSet", "rabbitmq"));
        var gateway = Labels(K8s.Workload("gateway"));
        var agencies = HubCode.Agencies.Select(a => Labels(K8s.Workload(a.Name))).ToList();
        var rules = PoliciesSelecting(broker).SelectMany(p => p.List("spec", "ingress")).ToList();

        Assert.NotEmpty(rules);
        foreach (var rule in rules)
        {
            var selector = Assert.Single(rule.List("from")).At("podSelector");
            var ports = rule.List("ports").Select(p => p.Text("port")).ToList();
            if (Selects(selector, broker))
            {
                // The nodes among themselves (clustering), and nobody else in that rule.
                Assert.False(Selects(selector, gateway) || agencies.Any(a => Selects(selector, a)), "a rule for the nodes admits hub hosts too");
                continue;
            }
            if (Selects(selector, gateway))
            {
                Assert.Equal(["management"], ports);
                Assert.DoesNotContain(agencies, a => Selects(selector, a));
                continue;
            }
            Assert.All(agencies, a => Assert.True(Selects(selector, a), "an AMQP rule leaves an agency out"));
            Assert.Equal(["amqp"], ports);
        }
        Assert.All(agencies, a => Assert.Contains(rules, r => Selects(r.List("from")[0].At("podSelector"), a)));
    }

    private static IEnumerable<YamlNode> PoliciesSelecting(IReadOnlyDictionary<string, string> pods) =>
        K8s.OfKind("NetworkPolicy").Where(p => Selects(p.At("spec", "podSelector"), pods)
            && p.Texts("spec", "policyTypes").Contains("Ingress"));

    private static Dictionary<string, string> Labels(YamlNode workload) =>
        workload.Map("spec", "template", "metadata", "labels").Entries().ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value ?? "");

    /// <summary>A label selector (matchLabels and matchExpressions In) against a pod's labels; an empty selector selects every pod.</summary>
    private static bool Selects(YamlNode? selector, IReadOnlyDictionary<string, string> labels) =>
        selector is not null
        && selector.Map("matchLabels").Entries().All(e => labels.GetValueOrDefault(e.Key) == ((YamlScalarNode)e.Value).Value)
        && selector.List("matchExpressions").All(e => e.Text("operator") == "In"
            && labels.TryGetValue(e.Text("key")!, out var value) && e.Texts("values").Contains(value));
}
