CREATE TABLE sales (
  region_id INT NOT NULL,
  store_id INT NOT NULL,
  sale_date DATE,
  amount DECIMAL(10,2),
  PRIMARY KEY (region_id, store_id)
);
