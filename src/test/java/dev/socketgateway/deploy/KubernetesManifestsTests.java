package dev.socketgateway.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;

import dev.socketgateway.config.GatewayProperties;
import dev.socketgateway.config.GatewayPropertiesConfiguration;
import dev.socketgateway.config.ListenerProperties;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manifests in {@code config/kubernetes} against the packaged configuration and pom.xml, parsed as files:
 * no cluster, no image.
 */
class KubernetesManifestsTests {

	private static final Path MANIFESTS = Paths.get("config", "kubernetes");

	private static final String LIVENESS = "/actuator/health/liveness";

	private static final String READINESS = "/actuator/health/readiness";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(GatewayPropertiesConfiguration.class);

	@Test
	void everyManifestParsesAndTheKustomizationListsThemAll() throws IOException {
		List<String> files;
		try (Stream<Path> listing = Files.list(MANIFESTS)) {
			files = listing.map((path) -> path.getFileName().toString())
				.filter((name) -> name.endsWith(".yaml") || name.endsWith(".yml"))
				.sorted()
				.toList();
		}
		assertThat(files).contains("configmap.yaml", "deployment.yaml", "service.yaml", "pdb.yaml",
				"kustomization.yaml");
		for (String file : files) {
			List<Map<String, Object>> documents = documents(file);
			assertThat(documents).as(file).isNotEmpty();
			if (!file.equals("kustomization.yaml")) {
				documents.forEach((document) -> assertThat(document).as(file)
					.containsKeys("apiVersion", "kind", "metadata"));
			}
		}
		List<String> resources = strings(manifest("kustomization.yaml"), "resources");
		assertThat(resources).containsExactlyInAnyOrderElementsOf(
				files.stream().filter((name) -> !name.equals("kustomization.yaml")).toList());
		assertThat(manifest("deployment.yaml")).containsEntry("kind", "Deployment");
		assertThat(manifest("service.yaml")).containsEntry("kind", "Service");
		assertThat(manifest("pdb.yaml")).containsEntry("kind", "PodDisruptionBudget");
		assertThat(manifest("configmap.yaml")).containsEntry("kind", "ConfigMap");
	}

	@Test
	void containerPortsAreThePackagedListenerPortsAndTheHttpPort() {
		Binder packaged = binder(packagedDefaults());
		Set<String> expected = new HashSet<>();
		this.runner.withInitializer((context) -> context.getEnvironment().getPropertySources().addLast(packagedDefaults()))
			.run((context) -> context.getBean(GatewayProperties.class)
				.enabledListeners()
				.values()
				.forEach((listener) -> expected.add(listener.getPort() + "/" + protocolOf(listener))));
		expected.add(packaged.bind("server.port", Integer.class).get() + "/TCP");
		assertThat(expected).as("packaged listeners").contains("7878/TCP", "7878/UDP", "8080/TCP");
		assertThat(containerPorts().stream().map(KubernetesManifestsTests::portAndProtocol).toList())
			.containsExactlyInAnyOrderElementsOf(expected);
	}

	@Test
	void probesCheckTheActuatorLivenessAndReadinessPathsOnTheHttpPort() {
		Map<String, Object> container = container();
		int httpPort = binder(packagedDefaults()).bind("server.port", Integer.class).get();
		assertThat(probe(container, "livenessProbe")).containsEntry("path", LIVENESS);
		assertThat(probe(container, "readinessProbe")).containsEntry("path", READINESS);
		for (String kind : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
			if (container.containsKey(kind)) {
				Map<String, Object> httpGet = probe(container, kind);
				assertThat(httpGet.get("path")).as(kind).isIn(LIVENESS, READINESS);
				assertThat(containerPortNumber(httpGet.get("port"), "TCP")).as(kind).isEqualTo(httpPort);
			}
		}
	}

	@Test
	void gracePeriodCoversTheShutdownDelayAndTheShutdownPhase() {
		Binder configured = binder(configMapApplicationYml(), packagedDefaults());
		Duration shutdownPhase = configured.bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class).get();
		assertThat(shutdownPhase).isEqualTo(Duration.ofSeconds(20));
		Duration shutdownDelay = configured.bind("gateway.shutdown-delay", Duration.class).get();
		assertThat(shutdownDelay).as("the lame duck instead of a preStop sleep").isPositive().isLessThan(shutdownPhase);
		assertThat(container()).as("no preStop sleep on top of the delay").doesNotContainKey("lifecycle");
		int grace = number(podSpec().get("terminationGracePeriodSeconds"));
		assertThat(grace).isGreaterThan((int) (shutdownDelay.toSeconds() + shutdownPhase.toSeconds()));
	}

	@Test
	void serviceExposesTheListenerPortsOfTheContainerAndSelectsThePods() {
		Map<String, Object> spec = map(manifest("service.yaml"), "spec");
		assertThat(spec).containsEntry("type", "LoadBalancer").containsEntry("externalTrafficPolicy", "Local");
		List<Map<String, Object>> ports = list(spec, "ports");
		assertThat(ports).isNotEmpty();
		for (Map<String, Object> port : ports) {
			String protocol = (String) port.getOrDefault("protocol", "TCP");
			int target = containerPortNumber(port.getOrDefault("targetPort", port.get("port")), protocol);
			assertThat(target).as("target of %s", port.get("name")).isEqualTo(number(port.get("port")));
		}
		List<String> listenerPorts = containerPorts().stream()
			.filter((port) -> !"http".equals(port.get("name")))
			.map(KubernetesManifestsTests::portAndProtocol)
			.toList();
		assertThat(ports.stream().map(KubernetesManifestsTests::portAndProtocol).toList())
			.as("the listeners, without the actuator port")
			.containsExactlyInAnyOrderElementsOf(listenerPorts)
			.contains("7878/TCP", "7878/UDP");
		assertThat(podLabels()).containsAllEntriesOf(stringMap(spec.get("selector")));
		assertThat(stringMap(map(map(manifest("deployment.yaml"), "spec"), "selector").get("matchLabels")))
			.containsEntry("app.kubernetes.io/name", "socket-gateway")
			.isEqualTo(stringMap(spec.get("selector")));
	}

	@Test
	void disruptionBudgetSelectsThePodsAndKeepsOneAvailable() {
		Map<String, Object> spec = map(manifest("pdb.yaml"), "spec");
		assertThat(spec).containsEntry("minAvailable", 1);
		Map<String, String> selector = stringMap(map(spec, "selector").get("matchLabels"));
		assertThat(selector).isNotEmpty();
		assertThat(podLabels()).containsAllEntriesOf(selector);
		assertThat(number(map(manifest("deployment.yaml"), "spec").get("replicas"))).isGreaterThan(1);
	}

	@Test
	void configMapBindsToGatewayPropertiesAndItsListenersAreTheServicePorts() {
		List<String> servicePorts = list(map(manifest("service.yaml"), "spec"), "ports").stream()
			.map(KubernetesManifestsTests::portAndProtocol)
			.toList();
		this.runner.withInitializer((context) -> {
			MutablePropertySources sources = context.getEnvironment().getPropertySources();
			sources.addFirst(configMapApplicationYml());
			sources.addLast(packagedDefaults());
		}).run((context) -> {
			assertThat(context).hasNotFailed();
			Map<String, ListenerProperties> listeners = context.getBean(GatewayProperties.class)
				.enabledListeners();
			assertThat(listeners).containsOnlyKeys("tcp", "udp");
			assertThat(listeners.values().stream().map((listener) -> listener.getPort() + "/" + protocolOf(listener)))
				.containsExactlyInAnyOrderElementsOf(servicePorts);
			assertThat(Binder.get(context.getEnvironment()).bind("server.port", Integer.class).get())
				.isEqualTo(containerPortNumber("http", "TCP"));
			assertThat(Binder.get(context.getEnvironment())
				.bind("management.endpoints.web.exposure.include", String[].class)
				.get()).contains("health", "prometheus");
		});
		Map<String, Object> gateway = map(new Yaml(new SafeConstructor(new LoaderOptions()))
			.load(configMapText()), "gateway");
		assertThat(map(gateway, "listeners")).as("the ConfigMap spells the listeners out").containsKeys("tcp", "udp");
	}

	@Test
	void aMisspeltKeyInTheConfigMapWouldFailTheBinding() {
		String misspelt = configMapText().replace("framing: stream", "framing: stream\n      frameing: line");
		assertThat(misspelt).isNotEqualTo(configMapText());
		this.runner.withInitializer((context) -> context.getEnvironment()
			.getPropertySources()
			.addFirst(yaml("misspelt", misspelt)))
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("frameing"));
	}

	@Test
	void configMapIsMountedAsTheConfigDirectoryOfTheBuildpackImage() {
		String configMapName = (String) map(manifest("configmap.yaml"), "metadata").get("name");
		Map<String, Object> volume = list(podSpec(), "volumes").stream()
			.filter((candidate) -> candidate.containsKey("configMap"))
			.filter((candidate) -> configMapName.equals(map(candidate, "configMap").get("name")))
			.findFirst()
			.orElseThrow();
		assertThat(list(container(), "volumeMounts")).anySatisfy((mount) -> {
			assertThat(mount).containsEntry("name", volume.get("name"))
				.containsEntry("mountPath", "/workspace/config")
				.doesNotContainKey("subPath");
		});
		assertThat(map(manifest("configmap.yaml"), "data")).containsOnlyKeys("application.yml");
	}

	@Test
	void deploymentRunsTheImageNamedInThePom() throws Exception {
		DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
		factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
		factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
		Document pom = factory.newDocumentBuilder().parse(Paths.get("pom.xml").toFile());
		var xpath = XPathFactory.newInstance().newXPath();
		String version = xpath.evaluate("/project/version", pom).trim();
		String imageName = xpath
			.evaluate("/project/build/plugins/plugin[artifactId='spring-boot-maven-plugin']/configuration/image/name",
					pom)
			.trim();
		assertThat(version).isNotEmpty();
		assertThat(imageName).as("image name in pom.xml").isNotEmpty();
		String resolved = imageName.replace("${project.version}", version)
			.replace("${project.artifactId}", xpath.evaluate("/project/artifactId", pom).trim());
		assertThat(resolved).doesNotContain("${");
		assertThat(container()).containsEntry("image", resolved);
	}

	@Test
	void prometheusAnnotationsPointAtThePrometheusEndpointOnTheHttpPort() {
		Map<String, String> annotations = stringMap(
				map(map(map(manifest("deployment.yaml"), "spec"), "template"), "metadata").get("annotations"));
		assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
			.containsEntry("prometheus.io/path", "/actuator/prometheus");
		assertThat(Integer.parseInt(annotations.get("prometheus.io/port")))
			.isEqualTo(binder(configMapApplicationYml(), packagedDefaults()).bind("server.port", Integer.class).get())
			.isEqualTo(containerPortNumber("http", "TCP"));
	}

	private static String protocolOf(ListenerProperties listener) {
		return listener.getProtocol().name();
	}

	private static String portAndProtocol(Map<String, Object> port) {
		Object number = port.containsKey("containerPort") ? port.get("containerPort") : port.get("port");
		return number(number) + "/" + port.getOrDefault("protocol", "TCP");
	}

	/** The container port a probe or Service refers to, by name or number; fails when there is none. */
	private static int containerPortNumber(Object reference, String protocol) {
		return containerPorts().stream()
			.filter((port) -> protocol.equals(port.getOrDefault("protocol", "TCP")))
			.filter((port) -> reference.equals(port.get("name")) || reference.equals(port.get("containerPort")))
			.map((port) -> number(port.get("containerPort")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + protocol + " container port " + reference));
	}

	private static Map<String, Object> probe(Map<String, Object> container, String kind) {
		return map(map(container, kind), "httpGet");
	}

	private static List<Map<String, Object>> containerPorts() {
		return list(container(), "ports");
	}

	private static Map<String, Object> container() {
		List<Map<String, Object>> containers = list(podSpec(), "containers");
		assertThat(containers).hasSize(1);
		return containers.get(0);
	}

	private static Map<String, Object> podSpec() {
		return map(map(map(manifest("deployment.yaml"), "spec"), "template"), "spec");
	}

	private static Map<String, String> podLabels() {
		return stringMap(map(map(map(manifest("deployment.yaml"), "spec"), "template"), "metadata").get("labels"));
	}

	private static Binder binder(PropertySource<?>... sources) {
		MutablePropertySources propertySources = new MutablePropertySources();
		for (PropertySource<?> source : sources) {
			propertySources.addLast(source);
		}
		return new Binder(ConfigurationPropertySources.from(propertySources));
	}

	private static PropertySource<?> packagedDefaults() {
		return load("packaged", new ClassPathResource("application.yml"));
	}

	private static PropertySource<?> configMapApplicationYml() {
		return yaml("configmap", configMapText());
	}

	private static String configMapText() {
		Object text = map(manifest("configmap.yaml"), "data").get("application.yml");
		assertThat(text).isInstanceOf(String.class);
		return (String) text;
	}

	private static PropertySource<?> yaml(String name, String text) {
		return load(name, new ByteArrayResource(text.getBytes(StandardCharsets.UTF_8), name));
	}

	private static PropertySource<?> load(String name, Resource resource) {
		try {
			List<PropertySource<?>> loaded = new YamlPropertySourceLoader().load(name, resource);
			assertThat(loaded).as(name).hasSize(1);
			return loaded.get(0);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Map<String, Object> manifest(String file) {
		List<Map<String, Object>> documents = documents(file);
		assertThat(documents).as(file).hasSize(1);
		return documents.get(0);
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> documents(String file) {
		List<Map<String, Object>> documents = new ArrayList<>();
		try (InputStream in = Files.newInputStream(MANIFESTS.resolve(file))) {
			for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in)) {
				if (document != null) {
					assertThat(document).as(file).isInstanceOf(Map.class);
					documents.add((Map<String, Object>) document);
				}
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return documents;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Map<String, Object> parent, String key) {
		assertThat(parent).containsKey(key);
		assertThat(parent.get(key)).as(key).isInstanceOf(Map.class);
		return (Map<String, Object>) parent.get(key);
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
		assertThat(parent).containsKey(key);
		assertThat(parent.get(key)).as(key).isInstanceOf(List.class);
		((List<?>) parent.get(key)).forEach((element) -> assertThat(element).as(key).isInstanceOf(Map.class));
		return (List<Map<String, Object>>) parent.get(key);
	}

	private static List<String> strings(Map<String, Object> parent, String key) {
		assertThat(parent).containsKey(key);
		assertThat(parent.get(key)).as(key).isInstanceOf(List.class);
		return ((List<?>) parent.get(key)).stream().map(String::valueOf).toList();
	}

	private static Map<String, String> stringMap(Object value) {
		assertThat(value).isInstanceOf(Map.class);
		Map<String, String> strings = new LinkedHashMap<>();
		((Map<?, ?>) value).forEach((key, entry) -> strings.put(String.valueOf(key), String.valueOf(entry)));
		return strings;
	}

	private static int number(Object value) {
		assertThat(value).isInstanceOf(Integer.class);
		return (Integer) value;
	}

}
