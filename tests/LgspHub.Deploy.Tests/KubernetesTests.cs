using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace LgspHub.Deploy.Tests;

/// <summary>deploy/k8s against the code and against deploy/compose: every manifest, probe, port, setting and the broker cluster.</summary>
public class KubernetesTests
{
    private static readonly KubernetesManifests K8s = KubernetesManifests.Hub;
    private static readonly string Folder = Repo.PathOf("deploy", "k8s");
    private static readonly string[] Probes = ["readinessProbe", "livenessProbe", "startupProbe"];

    [Fact]
    public void Every_manifest_is_in_the_kustomization_and_names_what_it_declares()
    {
        var files = Directory.GetFiles(Folder, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order(StringComparer.Ordinal);

        Assert.Equal(files, K8s.Files.Order(StringComparer.Ordinal));
        Assert.All(K8s.Objects, o =>
        {
            Assert.False(string.IsNullOrEmpty(o.Text("apiVersion")), "an object without apiVersion");
            Assert.False(string.IsNullOrEmpty(o.Text("kind")), "an object without kind");
            Assert.False(string.IsNullOrEmpty(o.Text("metadata", "name")), $"a {o.Text("kind")} without a name");
        });
        var names = K8s.Objects.Select(o => o.Text("kind") + "/" + o.Text("metadata", "name")).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public async Task Kustomize_renders_the_whole_hub_into_one_namespace()
    {
        var (exitCode, output) = await Repo.RunAsync("kubectl", Repo.Root, TimeSpan.FromSeconds(60), "kustomize", Folder);

        Assert.True(exitCode == 0, output);
        var rendered = Yaml.Parse(output, "kubectl kustomize");
        Assert.Equal(K8s.Objects.Count, rendered.Count);
        Assert.All(rendered.Where(o => o.Text("kind") != "Namespace"), o => Assert.Equal(K8s.Namespace, o.Text("metadata", "namespace")));
        Assert.Contains(rendered, o => o.Text("kind") == "Namespace" && o.Text("metadata", "name") == K8s.Namespace);
        // Kustomize pins the images of every host.
        Assert.All(HubCode.Hosts, host => Assert.Contains($"image: lgsp/{host.Name}:dev", output, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_host_runs_as_a_workload_behind_a_service_on_its_default_port()
    {
        Assert.Equal(HubCode.Hosts.Select(h => h.Name).Order(), K8s.Instances.Select(i => i.Host.Name).Order());
        foreach (var instance in K8s.Instances)
        {
            var deployment = K8s.Workload(instance.Name);
            var container = KubernetesManifests.MainContainer(deployment);
            Assert.Equal(instance.Host.Name, instance.Name);
            Assert.Equal($"http://+:{instance.Host.Port}", instance.Environment["ASPNETCORE_URLS"]);
            Assert.Equal(instance.Host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), PortNamed(container, "http"));

            var service = K8s.Named("Service", instance.Name);
            var port = Assert.Single(service.List("spec", "ports"));
            Assert.Equal(instance.Host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), port.Text("port"));
            Assert.Equal("http", port.Text("targetPort"));
            Assert.True(Selects(service, deployment), $"Service {instance.Name} does not select the pods of {instance.Name}");
        }
    }

    [Fact]
    public void Probes_ask_health_ready_for_readiness_and_health_live_for_liveness()
    {
        foreach (var instance in K8s.Instances)
        {
            var container = KubernetesManifests.MainContainer(K8s.Workload(instance.Name));
            Assert.Equal("/health/ready", container.Text("readinessProbe", "httpGet", "path"));
            Assert.Equal("/health/live", container.Text("livenessProbe", "httpGet", "path"));
            Assert.Equal("/health/live", container.Text("startupProbe", "httpGet", "path"));
            Assert.All(Probes, probe => Assert.Equal("http", container.Text(probe, "httpGet", "port")));
        }
        var rabbitmq = KubernetesManifests.MainContainer(K8s.Workload("rabbitmq"));
        Assert.NotNull(rabbitmq.At("readinessProbe"));
        Assert.NotNull(rabbitmq.At("livenessProbe"));
    }

    [Fact]
    public void Population_runs_two_replicas_each_on_its_own_volume_and_share_of_serials_and_every_other_host_one()
    {
        foreach (var instance in K8s.Instances)
        {
            var deployment = K8s.Workload(instance.Name);
            if (instance.Host.Name == "population")
            {
                Assert.Equal("StatefulSet", deployment.Text("kind"));
                var replicas = deployment.Text("spec", "replicas");
                Assert.Equal("2", replicas);
                // One SQLite file per pod, kept with the pod's index: a volume two pods would share is no place for
                // SQLite, and a pod back on an empty disk would count its serials from the start again.
                var claim = VolumeClaimTemplate(deployment, instance);
                Assert.Equal(["ReadWriteOnce"], claim.Texts("spec", "accessModes"));
                // Databases of their own: each pod draws its share of the serials, named by its index.
                Assert.Equal(replicas, instance.Environment["Lgsp__Serials__Instances"]);
                var index = KubernetesManifests.MainContainer(deployment).List("env").Single(v => v.Text("name") == "Lgsp__Serials__Instance");
                Assert.Equal("metadata.labels['apps.kubernetes.io/pod-index']", index.Text("valueFrom", "fieldRef", "fieldPath"));
            }
            else
            {
                var data = DataVolume(deployment, instance);
                Assert.Equal("1", deployment.Text("spec", "replicas"));
                Assert.Equal("Recreate", deployment.Text("spec", "strategy", "type"));
                var claim = K8s.Named("PersistentVolumeClaim", data.Text("persistentVolumeClaim", "claimName")!);
                Assert.Equal(["ReadWriteOnce"], claim.Texts("spec", "accessModes"));
            }
        }
    }

    [Fact]
    public void Every_container_requests_resources_and_has_a_memory_limit()
    {
        foreach (var workload in K8s.Workloads)
        {
            foreach (var container in KubernetesManifests.Containers(workload))
            {
                var name = workload.Text("metadata", "name") + "/" + container.Text("name");
                Assert.False(string.IsNullOrEmpty(container.Text("resources", "requests", "cpu")), $"{name}: no cpu request");
                Assert.False(string.IsNullOrEmpty(container.Text("resources", "requests", "memory")), $"{name}: no memory request");
                Assert.False(string.IsNullOrEmpty(container.Text("resources", "limits", "memory")), $"{name}: no memory limit");
            }
            Assert.Equal("true", workload.Text("spec", "template", "spec", "securityContext", "runAsNonRoot"));
        }
    }

    [Fact]
    public void The_gateway_sends_every_cluster_of_its_configuration_to_its_agency_s_service()
    {
        var gateway = K8s.Instances.Single(i => i.Host.IsGateway);
        var destinations = GatewayDestinations.Of(gateway.Environment);

        foreach (var (cluster, configured) in HubCode.GatewayClusters)
        {
            Assert.True(destinations.TryGetValue(cluster, out var deployed), $"cluster {cluster} keeps its 127.0.0.1 destinations");
            Assert.All(configured.Keys, name => Assert.True(deployed!.ContainsKey(name), $"{cluster}: destination {name} is not replaced"));
            var agency = HubCode.Host(cluster);
            foreach (var address in deployed!.Values.Select(a => new Uri(a)))
            {
                var service = K8s.Named("Service", address.Host);
                Assert.Contains(service.List("spec", "ports"), p => p.Text("port") == address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Assert.True(Selects(service, K8s.Workload(agency.Name)), $"{cluster} → {address}: the Service does not select {agency.Name}'s pods");
            }
        }
    }

    [Fact]
    public void RabbitMq_is_a_three_replica_statefulset_whose_nodes_find_each_other_through_a_headless_service()
    {
        var statefulSet = K8s.Named("StatefulSet", "rabbitmq");
        var serviceName = statefulSet.Text("spec", "serviceName")!;
        var headless = K8s.Named("Service", serviceName);
        var conf = K8s.DataOf("ConfigMap", "rabbitmq-config")["20-lgsp.conf"];
        var environment = K8s.EnvironmentOf(KubernetesManifests.MainContainer(statefulSet));
        var replicas = int.Parse(statefulSet.Text("spec", "replicas")!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(3, replicas);
        Assert.Equal("Parallel", statefulSet.Text("spec", "podManagementPolicy"));
        Assert.Equal("None", headless.Text("spec", "clusterIP"));
        Assert.Equal("true", headless.Text("spec", "publishNotReadyAddresses"));
        Assert.True(Selects(headless, statefulSet));
        Assert.Equal("classic_config", Broker.Setting(conf, "cluster_formation.peer_discovery_backend"));
        // Pod i is rabbit@rabbitmq-i.<headless service>.<namespace>.svc.cluster.local, the name it gives itself.
        var expected = Enumerable.Range(0, replicas).Select(i => $"rabbit@rabbitmq-{i}.{serviceName}.{K8s.Namespace}.svc.cluster.local").ToList();
        Assert.Equal(expected, Broker.ClassicConfigNodes(conf));
        Assert.Equal($"rabbit@$(MY_POD_NAME).{serviceName}.{K8s.Namespace}.svc.cluster.local", environment["RABBITMQ_NODENAME"]);
        Assert.Equal("true", environment["RABBITMQ_USE_LONGNAME"]);
        Assert.Contains("RABBITMQ_ERLANG_COOKIE", environment.Keys);
        Assert.Contains(statefulSet.List("spec", "volumeClaimTemplates"), t => t.Text("metadata", "name") == "data");
        Assert.Contains(KubernetesManifests.MainContainer(statefulSet).List("volumeMounts"), m => m.Text("name") == "data" && m.Text("mountPath") == "/var/lib/rabbitmq");
        Assert.Equal("1", K8s.Named("PodDisruptionBudget", "rabbitmq").Text("spec", "maxUnavailable"));
    }

    [Fact]
    public void The_cluster_is_configured_as_in_compose_but_for_the_node_names()
    {
        var k8sConf = K8s.DataOf("ConfigMap", "rabbitmq-config")["20-lgsp.conf"];
        var composeConf = Repo.Read("deploy", "compose", "rabbitmq.conf");

        Assert.Equal(Settings(composeConf), Settings(k8sConf));
        Assert.Equal(Broker.ClassicConfigNodes(composeConf).Count, Broker.ClassicConfigNodes(k8sConf).Count);
        var files = K8s.DataOf("ConfigMap", "rabbitmq-definitions");
        using var definitions = JsonDocument.Parse(files["definitions.json"]);
        Assert.True(JsonElement.DeepEquals(Broker.Definitions.Root, definitions.RootElement), "rabbitmq-definitions differs from deploy/compose/definitions.json");
        Assert.Equal(Repo.Read("deploy", "compose", "broker-entrypoint.sh"), files["broker-entrypoint.sh"]);
        // The template and its entrypoint where compose mounts them; the entrypoint writes where load_definitions reads.
        Assert.Equal(Broker.Setting(Repo.Read("deploy", "compose", "rabbitmq.conf"), "load_definitions"), Broker.Setting(k8sConf, "load_definitions"));
        var rabbitmq = KubernetesManifests.MainContainer(K8s.Workload("rabbitmq"));
        Assert.Contains(rabbitmq.List("volumeMounts"), m => m.Text("mountPath") == "/etc/lgsp" && m.Text("name") == "definitions");
        Assert.Equal(["bash", "/etc/lgsp/broker-entrypoint.sh"], rabbitmq.Texts("command"));
        Assert.Equal(["rabbitmq-server"], rabbitmq.Texts("args"));
    }

    [Fact]
    public void Agencies_and_the_gateway_reach_the_cluster_through_its_service_as_users_of_the_definitions()
    {
        var service = K8s.Named("Service", "rabbitmq");

        var broker = K8s.EnvironmentOf(KubernetesManifests.MainContainer(K8s.Workload("rabbitmq")));
        Broker.AssertAgenciesConnect(K8s.Instances, brokerHost: "rabbitmq", broker);
        Broker.AssertGatewayReadsManagementApi(K8s.Instances.Single(i => i.Host.IsGateway), brokerHost: "rabbitmq", broker);
        Assert.True(Selects(service, K8s.Named("StatefulSet", "rabbitmq")));
        Assert.Contains(service.List("spec", "ports"), p => p.Text("port") == Broker.AmqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(service.List("spec", "ports"), p => p.Text("port") == Broker.ManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("http://gateway:5080", K8s.Instances.Single(i => i.Host.Name == "land").Environment["Gateway__Url"]);
    }

    [Fact]
    public void Every_variable_given_to_a_host_is_a_setting_that_host_reads()
    {
        Assert.Empty(ConfigurationSurface.Refused(K8s.Instances));
    }

    [Fact]
    public void Every_volume_mounts_a_config_map_secret_or_claim_that_exists()
    {
        foreach (var workload in K8s.Workloads)
        {
            var volumes = workload.List("spec", "template", "spec", "volumes");
            foreach (var volume in volumes)
            {
                if (volume.Text("configMap", "name") is { } configMap)
                    Assert.NotEmpty(K8s.DataOf("ConfigMap", configMap));
                if (volume.Text("secret", "secretName") is { } secret)
                    Assert.NotEmpty(K8s.DataOf("Secret", secret));
                if (volume.Text("persistentVolumeClaim", "claimName") is { } claim)
                    Assert.NotNull(K8s.Named("PersistentVolumeClaim", claim));
            }
            var templates = workload.List("spec", "volumeClaimTemplates").Select(t => t.Text("metadata", "name"));
            foreach (var mount in KubernetesManifests.Containers(workload).SelectMany(c => c.List("volumeMounts")))
            {
                var source = volumes.SingleOrDefault(v => v.Text("name") == mount.Text("name"));
                Assert.True(source is not null || templates.Contains(mount.Text("name")), $"{workload.Text("metadata", "name")}: no volume {mount.Text("name")}");
                if (mount.Text("subPath") is { } key && source?.Text("configMap", "name") is { } configMap)
                    Assert.Contains(key, K8s.DataOf("ConfigMap", configMap).Keys);
                if (mount.Text("subPath") is { } secretKey && source?.Text("secret", "secretName") is { } secret)
                    Assert.Contains(secretKey, K8s.DataOf("Secret", secret).Keys);
            }
        }
    }

    private static YamlNode DataVolume(YamlNode deployment, Instance instance)
    {
        var folder = Path.GetDirectoryName(instance.Environment["ConnectionStrings__database"]["Data Source=".Length..])!;
        var mount = KubernetesManifests.MainContainer(deployment).List("volumeMounts").Single(m => m.Text("mountPath") == folder);
        return deployment.List("spec", "template", "spec", "volumes").Single(v => v.Text("name") == mount.Text("name"));
    }

    private static YamlNode VolumeClaimTemplate(YamlNode statefulSet, Instance instance)
    {
        var folder = Path.GetDirectoryName(instance.Environment["ConnectionStrings__database"]["Data Source=".Length..])!;
        var mount = KubernetesManifests.MainContainer(statefulSet).List("volumeMounts").Single(m => m.Text("mountPath") == folder);
        return statefulSet.List("spec", "volumeClaimTemplates").Single(v => v.Text("metadata", "name") == mount.Text("name"));
    }

    private static string? PortNamed(YamlNode container, string name) =>
        container.List("ports").SingleOrDefault(p => p.Text("name") == name)?.Text("containerPort");

    /// <summary>A Service selects a workload's pods when every selector label is on the pod template.</summary>
    private static bool Selects(YamlNode service, YamlNode workload)
    {
        var labels = workload.Map("spec", "template", "metadata", "labels").Entries().ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value);
        var selector = service.Map("spec", "selector").Entries().ToList();
        return selector.Count > 0 && selector.All(e => labels.GetValueOrDefault(e.Key) == ((YamlScalarNode)e.Value).Value);
    }

    /// <summary>A rabbitmq.conf's settings, comments and the peer list aside.</summary>
    private static List<string> Settings(string conf) =>
        conf.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith("cluster_formation.classic_config.nodes.", StringComparison.Ordinal)).ToList();
}
