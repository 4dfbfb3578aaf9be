// Delete confirmation, naming the warehouse tables that will be dropped.
import { useState } from "react";
import { deleteExperiment, type ExperimentSummary } from "../api/client";
import { ErrorBox, Modal } from "../components/ui";

export function DeleteDialog({
  experiment,
  onClose,
  onDeleted,
}: {
  experiment: ExperimentSummary;
  onClose: () => void;
  onDeleted: (tablesDropped: number) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await deleteExperiment(experiment.name);
      onDeleted(result.tables_dropped);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Modal
      title={`Delete ${experiment.name}?`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} data-autofocus>
            Cancel
          </button>
          <button type="button" className="button button-danger" onClick={() => void confirm()} disabled={busy}>
            {busy ? "Deleting…" : "Delete experiment"}
          </button>
        </>
      }
    >
      <p>
        This drops {experiment.tables.length === 1 ? "this table" : `these ${experiment.tables.length} tables`} from
        the <strong>{experiment.target_warehouse}</strong> warehouse, with their generated data and run history:
      </p>
      <ul className="drop-list" aria-label="Tables to drop">
        {experiment.tables.map((t) => (
          <li key={t.name} className="mono">
            {t.physical_name}
          </li>
        ))}
      </ul>
      <p className="muted small">This cannot be undone.</p>
      {error !== null && <ErrorBox error={error} />}
    </Modal>
  );
}
