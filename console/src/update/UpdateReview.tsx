/**
 * The plan of an update before it runs (PATCH ?dryRun=true): what changes, the steps in order with
 * what each disrupts, whether every node is replaced, the pre-flight's verdict (a refusal shown as
 * its diagnosis) and the hourly cost before and after when the price table covers both.
 */
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Checkbox from '@cloudscape-design/components/checkbox';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { EKS_CONTROL_PLANE_USD_PER_HOUR, formatHourly, PRICES_AS_OF } from '../../../shared/pricing/hourly-cost';
import type { UpdatePlanAnswer } from '../api/types';
import DiagnosisAlert from '../components/DiagnosisAlert';
import type { CostChange } from './update-form';
import { COMPONENT_LABEL, changeText } from './update-text';

export default function UpdateReview({
  answer,
  cost,
  force,
  onForce,
}: {
  answer: UpdatePlanAnswer;
  cost?: CostChange;
  /** Whether this review was asked past ERROR upgrade insights; `onForce` asks again with or without. */
  force: boolean;
  onForce: (on: boolean) => void;
}) {
  const { plan, preflight } = answer;
  const blockedByInsight =
    preflight?.checked === true && preflight.ok === false && preflight.diagnosis.code === 'UPGRADE_BLOCKED_BY_INSIGHT';
  const toExtended = plan.changes.some((c) => c.field === 'upgradePolicy' && c.to === 'EXTENDED');
  return (
    <SpaceBetween size="l">
      <Container header={<Header variant="h2">What changes</Header>}>
        <ul data-testid="review-changes">
          {plan.changes.map((c) => (
            <li key={c.field}>{changeText(c)}</li>
          ))}
        </ul>
      </Container>

      <Container
        header={
          <Header variant="h2" description="Applied through the cluster's CloudFormation stack, in this order.">
            Plan
          </Header>
        }
      >
        <SpaceBetween size="m">
          <ol data-testid="review-steps">
            {plan.steps.map((s) => (
              <li key={`${s.component}:${s.action}`} data-component={s.component}>
                <strong>{COMPONENT_LABEL[s.component] ?? s.component}:</strong> {s.action}
                {s.disruption && (
                  <Box color="text-status-warning" variant="div">
                    Disrupts: {s.disruption}
                  </Box>
                )}
              </li>
            ))}
          </ol>
          {plan.nodesReplaced ? (
            <Alert type="warning" header="Every node is replaced" data-testid="review-nodes-replaced">
              A new node group starts first; then the old nodes are drained and terminated, so capacity never drops to
              zero. Every pod is evicted and rescheduled, and data kept on the nodes' local disks is lost.
            </Alert>
          ) : (
            plan.disruptive && (
              <Box data-testid="review-disruptive">
                Pods are evicted and rescheduled while the nodes change (PodDisruptionBudgets are respected).
              </Box>
            )
          )}
        </SpaceBetween>
      </Container>

      <Container
        header={
          <Header
            variant="h2"
            description="Drift, node version skew, free IP addresses and EKS upgrade insights, checked now through role B."
          >
            Pre-flight
          </Header>
        }
      >
        <div data-testid="review-preflight">
          {!preflight?.checked ? (
            <StatusIndicator type="info">
              {preflight?.message ?? 'Not run: the update makes the same checks before changing anything.'}
            </StatusIndicator>
          ) : preflight.ok ? (
            <StatusIndicator type="success">Passed: nothing stops this update.</StatusIndicator>
          ) : (
            <SpaceBetween size="s">
              <StatusIndicator type="error">The update would be refused. Nothing was changed.</StatusIndicator>
              <DiagnosisAlert diagnosis={preflight.diagnosis} testId="preflight-diagnosis" />
            </SpaceBetween>
          )}
          {(blockedByInsight || force) && (
            <Box margin={{ top: 's' }}>
              <Checkbox checked={force} onChange={({ detail }) => onForce(detail.checked)} data-testid="update-force">
                Upgrade anyway, past the ERROR upgrade insights (force). Workloads that still call APIs the new version
                removes will fail after the upgrade: fix them first unless you know they are not used.
              </Checkbox>
            </Box>
          )}
        </div>
      </Container>

      <Container
        header={
          <Header
            variant="h2"
            description={`On-demand list prices from the price table shipped with this service, as of ${PRICES_AS_OF}.`}
          >
            Estimated cost
          </Header>
        }
      >
        {toExtended && (
          <Box variant="p" data-testid="review-extended-cost">
            Extended support costs ${EKS_CONTROL_PLANE_USD_PER_HOUR.extended.toFixed(2)} per cluster hour instead of $
            {EKS_CONTROL_PLANE_USD_PER_HOUR.standard.toFixed(2)}, from the end of the version's standard support;
            nothing changes in price before then.
          </Box>
        )}
        {cost ? (
          <ul data-testid="review-cost">
            <li>Now: {formatHourly(cost.before.total)}</li>
            <li>After the update: {formatHourly(cost.after.total)}</li>
            <li>
              <strong>
                Difference:{' '}
                {cost.delta === 0 ? 'none' : `${cost.delta > 0 ? '+' : '−'}${formatHourly(Math.abs(cost.delta))}`}
              </strong>
            </li>
          </ul>
        ) : (
          <Box data-testid="review-cost-unknown">
            The shipped price table does not cover this instance type or region, so no difference is estimated; see the
            EC2 on-demand pricing page.
          </Box>
        )}
      </Container>
    </SpaceBetween>
  );
}
